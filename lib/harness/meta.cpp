#include "lib/harness/meta.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include <chrono>
#include <sstream>

#include "lib/build_info.hpp"
#include "lib/csv.hpp"
#include "lib/spec.hpp"

namespace descent {

void write_meta(const std::filesystem::path& path, const Experiment& e, const SweepFacts& facts) {
  toml::table build;
  for (const BuildFact& f : build_facts()) build.insert(f.key, f.value);
  toml::table meta{
      {"build", build},
      {"git_commit", git_commit()},
      {"cpu", cpu_model()},
      {"threads", facts.threads},
      {"shard", facts.shard},
      {"runs", static_cast<std::int64_t>(facts.runs)},
      {"date", fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::time(nullptr)))},
      {"experiment_file", e.source},
      {"experiment", e.text},
      {"base_seed", static_cast<std::int64_t>(e.seed)},
      {"seed_derivation",
       "run seed = derive_seed(base_seed, rep) (SplitMix64); the problem instance, start point, "
       "data split, batch order and gradient noise each draw from derive_seed(run seed, stream) "
       "with their own stream, so every optimizer meets the same instances"},
  };
  std::ostringstream text;
  text << toml::json_formatter{meta} << "\n";
  write_text_file(path, text.str());
}

}  // namespace descent
