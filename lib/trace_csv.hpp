// A run's trace as CSV: iter,epoch,time_s,loss,grad_norm,grad_evals, then gap (when f* is
// known), test_loss,test_acc (problems with a test set) and x0,x1,... (when the run recorded its
// iterates).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "lib/run.hpp"

namespace descent {

// One column of a trace point as CSV text, for every file that holds traces: iter, epoch,
// time_s, loss, grad_norm, grad_evals, gap (loss − f*; empty without f*), test_loss and
// test_acc (empty without a test set).
std::string trace_value(const TracePoint& p, std::string_view column, std::optional<double> fstar);

void write_trace_csv(const std::filesystem::path& path, const Problem& problem,
                     const RunResult& result);

}  // namespace descent
