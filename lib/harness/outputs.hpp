// The files of a finished sweep, each declared once in `sweep_outputs()` with what it holds;
// the end of a sweep and `descent merge` both write them through `write_sweep_outputs`, and the
// docs list them from the same table. Adding an output file is one line there and its writer.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lib/csv.hpp"
#include "lib/harness/experiment.hpp"
#include "lib/harness/meta.hpp"

namespace descent {

// Everything the output files are made from. The rows come in any order (as runs finished, or
// shard after shard); the writers see them sorted by run_id.
struct SweepData {
  const Experiment& experiment;
  CsvTable runs, traces;
  SweepFacts facts;
};

struct OutputFile {
  std::string name;
  std::string what;
  void (*write)(const SweepData& data, const std::filesystem::path& path);
  // Whether a sweep has the file (nullptr: every sweep); when not, it is not written, and one
  // left in the folder by an earlier sweep is removed.
  bool (*written_for)(const SweepData& data) = nullptr;
};

// In the order they are written; meta.json comes last.
const std::vector<OutputFile>& sweep_outputs();

// Sorts the rows by run_id (stable within a run) and writes every output file into `dir`, each
// atomically (written under a temporary name, then renamed).
void write_sweep_outputs(SweepData data, const std::filesystem::path& dir);

// Combines the output directories of the shards of one experiment into `out`: every input is
// checked before anything is written, the outputs are written into `out/.merge.partial/` and
// then renamed into `out`, so a merge that fails or is killed leaves `out` as it was. `out`
// holding another experiment's results is a UsageError unless `force`.
void merge_sweeps(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& out,
                  bool force = false);

}  // namespace descent
