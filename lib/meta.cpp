#include "lib/meta.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "lib/spec.hpp"

namespace descent {
namespace {

// The first line a shell command prints, or `fallback`.
std::string first_line_of(const std::string& command, const std::string& fallback) {
  std::FILE* p = popen(command.c_str(), "r");
  if (!p) return fallback;
  char buffer[512] = {};
  const bool got = std::fgets(buffer, sizeof buffer, p) != nullptr;
  pclose(p);
  std::string line = got ? buffer : "";
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line.empty() ? fallback : line;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

std::string git_commit() {
  const std::string dir = DESCENT_SOURCE_DIR;
  const std::string commit =
      first_line_of("git -C '" + dir + "' rev-parse HEAD 2>/dev/null", "unknown");
  const std::string dirty =
      first_line_of("git -C '" + dir + "' status --porcelain --untracked-files=no 2>/dev/null", "");
  return dirty.empty() ? commit : commit + "+dirty";
}

}  // namespace

void write_meta(const std::filesystem::path& path, const Experiment& e, const SweepFacts& facts) {
  toml::table meta{
      {"version", DESCENT_VERSION},
      {"git_commit", git_commit()},
      {"compiler", DESCENT_COMPILER},
      {"flags", DESCENT_FLAGS},
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
  std::filesystem::path partial = path;
  partial += ".partial";
  {
    std::ofstream out(partial);
    out << toml::json_formatter{meta} << "\n";
    if (!out) throw UsageError(fmt::format("writing '{}' failed", partial.string()));
  }
  std::filesystem::rename(partial, path);
}

}  // namespace descent
