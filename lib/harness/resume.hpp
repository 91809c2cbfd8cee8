// Resuming an interrupted sweep: which runs its partial files already hold.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "lib/harness/experiment.hpp"

namespace descent {

// The finished run_ids in runs.partial.csv, checked against this expansion (the header, and
// each row's run up to its seed, so that a changed file or --seeds is caught before any run);
// trace rows of runs that did not finish are dropped from traces.partial.csv.
std::set<Index> resume_state(const std::filesystem::path& runs_partial,
                             const std::filesystem::path& traces_partial,
                             const std::vector<RunSpec>& runs,
                             const std::vector<std::string>& hp_keys);

}  // namespace descent
