// The sweep harness: every run of an experiment, in parallel over runs (OpenMP, dynamic
// scheduling, each run single-threaded), into tidy CSV.
//
// Output directory (default results/<name>/):
//   runs.csv      one row per run (configuration, seed, status, metrics)
//   traces.csv    the logged points of every run
//   best.csv      the best configuration per problem × optimizer (lib/harness/best.hpp)
//   meta.json     what produced it (lib/harness/meta.hpp)
//   experiment.toml   the experiment file as read
// Rows go to runs.csv.partial and traces.csv.partial as runs finish; the final files are
// written, sorted by run_id, only when every run is done, so results do not depend on the
// thread count or the order in which runs finished.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lib/harness/experiment.hpp"

namespace descent {

struct SweepOptions {
  int threads = 0;            // 0: all available
  std::filesystem::path out;  // empty: results/<name>
  bool resume = false;
  int shard = 0, shards = 1;
  bool dry_run = false;
  bool quiet = false;
};

struct SweepOutcome {
  std::filesystem::path dir;
  std::size_t total = 0, skipped = 0, ran = 0, ok = 0, diverged = 0, errors = 0;
  bool interrupted = false;
};

SweepOutcome run_sweep(const Experiment& e, const SweepOptions& options);

// Combines the output directories of the shards of one experiment into `out`.
void merge_sweeps(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& out);

// Asks a running sweep to stop after the runs in flight (safe to call from a signal handler).
void request_stop();

std::vector<std::string> runs_header(const std::vector<std::string>& hp_keys);
const std::vector<std::string>& traces_header();
// Columns whose values depend on the machine's speed, not on the computation.
bool is_timing_column(const std::string& name);

}  // namespace descent
