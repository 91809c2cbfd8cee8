// Resuming an interrupted sweep: which runs its partial files already hold.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "lib/harness/experiment.hpp"

namespace descent {

// The finished run_ids in runs.partial.csv, checked against this expansion before any run: the
// header, each row's run up to its seed (a changed file or --seeds), its run id (in range, once,
// and of this shard), its status. A torn last row (a kill or a full disk while it was written)
// is dropped, and so is a run whose trace rows are missing or cut; those runs run again.
// Trace rows of runs that did not finish are dropped from traces.partial.csv.
std::set<Index> resume_state(const std::filesystem::path& runs_partial,
                             const std::filesystem::path& traces_partial,
                             const std::vector<RunSpec>& runs,
                             const std::vector<std::string>& hp_keys, int shard, int shards);

}  // namespace descent
