// What the harness tests share: a small experiment, a scratch folder, a quiet sweep, and the
// comparison of result files up to their timing columns.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "lib/csv.hpp"
#include "lib/harness/columns.hpp"
#include "lib/harness/experiment.hpp"
#include "lib/harness/sweep.hpp"

namespace descent::testing {

namespace fs = std::filesystem;

inline const char* const kExperiment = R"(
name = "unit"
problems = ["quadratic:dim=5,cond=100,rotate=1", "rosenbrock"]
seeds = 3
budget = { iters = 300 }
target = { gap = 1e-4 }
log = { points = 10 }
tune = { metric = "iters_to_target", stat = "median" }
[optimizers.sgd]
lr = { logspace = [1e-3, 1e-1], n = 3 }
[optimizers.adam]
lr = [0.01, 0.1]
schedule = ["constant", "cosine:steps=300"]
)";

inline const char* const kNoSeeds = R"(
name = "noseeds"
problems = ["rosenbrock"]
budget = { iters = 10 }
[optimizers.sgd]
)";

inline fs::path fresh_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("descent_sweep_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

inline SweepOutcome sweep(const Experiment& e, const fs::path& out, int threads, int shard = 0,
                          int shards = 1, bool resume = false, bool force = false) {
  SweepOptions o;
  o.force = force;
  o.out = out;
  o.threads = threads;
  o.quiet = true;
  o.shard = shard;
  o.shards = shards;
  o.resume = resume;
  return run_sweep(e, o);
}

// The table without the columns that measure the machine's speed.
inline std::vector<std::vector<std::string>> content(const fs::path& file) {
  const CsvTable t = read_csv(file);
  std::vector<std::vector<std::string>> out = {{}};
  for (const auto& h : t.header)
    if (!is_timing_column(h)) out[0].push_back(h);
  for (const auto& row : t.rows) {
    out.emplace_back();
    for (std::size_t i = 0; i < row.size(); ++i)
      if (!is_timing_column(t.header[i])) out.back().push_back(row[i]);
  }
  return out;
}

inline void check_same(const fs::path& a, const fs::path& b) {
  for (const char* f : {"runs.csv", "traces.csv", "best.csv"}) {
    INFO(f);
    CHECK(content(a / f) == content(b / f));
  }
}

}  // namespace descent::testing
