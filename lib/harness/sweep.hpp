// The sweep harness: every run of an experiment, in parallel over runs (OpenMP, dynamic
// scheduling, each run single-threaded), into tidy CSV.
//
// The output files are declared in lib/harness/outputs.hpp (`descent list outputs`).
// Rows go to runs.partial.csv and traces.partial.csv as runs finish; the final files are
// written, sorted by run_id, only when every run is done, so results do not depend on the
// thread count or the order in which runs finished.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
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
  bool force = false;  // replace the results of another experiment in `out`
};

struct SweepOutcome {
  std::filesystem::path dir;
  std::size_t total = 0, skipped = 0, ran = 0, ok = 0, diverged = 0, errors = 0;
  bool interrupted = false;
};

// The checks that need the problems built, which a sweep makes before its first run: a target
// needs what it measures (gap and rel_gap need f*, test_acc a test set).
void check_experiment(const Experiment& e);

SweepOutcome run_sweep(const Experiment& e, const SweepOptions& options);

// An exclusive flock on `dir`/.lock for as long as it lives, holding this process's id: a second
// sweep, resume or merge into the same folder fails at once with a UsageError naming the
// process, instead of both running everything and overwriting each other's rows.
class FolderLock {
 public:
  explicit FolderLock(const std::filesystem::path& dir);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

// `dir` must not hold the results of another experiment (its experiment.toml differs), unless
// `force`: a mistyped --out does not silently replace them.
void check_results_folder(const Experiment& e, const std::filesystem::path& dir, bool force);

// `--shard I/N` as (I, N), 0 <= I < N <= limits::runs; a UsageError otherwise.
std::pair<int, int> parse_shard(const std::string& text);

// Asks a running sweep to stop after the runs in flight (safe to call from a signal handler).
void request_stop();

}  // namespace descent
