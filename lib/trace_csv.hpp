// A run's trace as CSV: iter,epoch,time_s,loss,grad_norm,grad_evals, then gap (when f* is
// known), test_loss,test_acc (problems with a test set) and x0,x1,... (when the run recorded its
// iterates).
#pragma once

#include <filesystem>

#include "lib/run.hpp"

namespace descent {

void write_trace_csv(const std::filesystem::path& path, const Problem& problem,
                     const RunResult& result);

}  // namespace descent
