// A run's trace as CSV. Every column a trace can have is declared once, in `trace_columns()`:
// `descent run --trace` writes the ones the problem has (then x0, x1, ... when the run recorded
// its iterates), a sweep's traces.csv all of them after run_id, and meta.json lists them with
// their facts for the plotting scripts.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lib/run.hpp"

namespace descent {

struct TraceColumn {
  enum class Needs { nothing, optimum, test_set };  // what the problem must have for a value
  // progress: how far the run got (a plot's x axis); value: what it measured there (a y axis).
  enum class Axis { progress, value };
  std::string name;
  std::string label;  // what it measures, for axis labels
  std::string help;   // its meaning, for the docs
  std::string (*value)(const TracePoint& p, std::optional<double> fstar);
  Axis axis = Axis::value;
  bool lower_is_better = true;  // for a value: losses fall over decades (log scale), accuracy rises
  Needs needs = Needs::nothing;
  bool timing = false;  // depends on the machine's speed, not on the computation
};

// In file order.
const std::vector<TraceColumn>& trace_columns();
// The columns `problem` has values for, in file order.
std::vector<const TraceColumn*> trace_columns_of(const Problem& problem);

void write_trace_csv(const std::filesystem::path& path, const Problem& problem,
                     const RunResult& result);

}  // namespace descent
