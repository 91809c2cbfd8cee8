// The columns of runs.csv, each declared once, in file order, with its facts: how it is computed
// from a run, whether the tuning rule can rank by it and which way is better, whether best.csv
// summarizes it, whether it measures the machine's speed. runs.csv, the resume check, best.csv,
// the tune-metric check, meta.json (which the Python scripts read) and `descent list columns`
// all derive from `run_columns()`.
//
// Adding a metric is one line in run_columns() (lib/harness/columns.cpp), for example
//   metric("final_grad_norm", "gradient norm", "‖∇f‖ at the last logged point", Better::lower,
//          [](const Ran& r) { return number(r.result.trace.back().grad_norm); }),
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lib/harness/experiment.hpp"
#include "lib/run.hpp"

namespace descent {

// One finished (or failed) run, as its row is computed from.
struct Ran {
  const RunSpec& spec;
  const RunResult& result;  // empty when the run failed
  Status status;
  const std::string& message;  // the error, when it failed
  std::optional<double> fstar;
};

enum class Better { none, lower, higher };
const char* to_string(Better b);  // "lower", "higher" or ""

struct RunColumn {
  // identity: which run the row is (checked on resume); hyperparameters: one hp_<key> column per
  // optimizer key of the experiment; result: empty when the run failed.
  enum class Role { identity, hyperparameters, outcome, result };
  std::string name;
  std::string label;  // what it counts, for axis labels and the docs
  std::string help;
  Role role = Role::result;
  std::string (*value)(const Ran&) = nullptr;  // "" for no value
  Better better = Better::none;  // != none: a metric that tune = { metric = ... } accepts
  bool to_target = false;        // where the target was first met: empty when never
  bool summarized = false;       // in best.csv with median and quartiles
  bool configuration = false;    // with the others so marked, names one configuration
  bool integer = false;          // a count
  bool timing = false;           // depends on the machine's speed, not on the computation
};

const std::vector<RunColumn>& run_columns();
// nullptr when there is no such column.
const RunColumn* find_run_column(std::string_view name);
// The tunable metrics' names, for messages.
std::vector<std::string> tunable_metrics();

// The hp_<key> columns of a sweep: every optimizer key of its runs, in order of first use.
std::vector<std::string> hp_keys_of(const std::vector<RunSpec>& runs);
std::vector<std::string> runs_header(const std::vector<std::string>& hp_keys);
std::vector<std::string> runs_row(const Ran& ran, const std::vector<std::string>& hp_keys);
// The leading cells of a run's row that say which run it is, up to its seed.
std::vector<std::string> run_identity(const RunSpec& spec, const std::vector<std::string>& hp_keys);

// Whether a runs.csv (or runs.partial.csv) row is `spec`'s run: its identity columns equal.
bool is_run(const std::vector<std::string>& row, const RunSpec& spec,
            const std::vector<std::string>& hp_keys);

// A run_id field as the sweep writes it: digits, in [0, runs). The common case is parsed
// without building a message (it runs once per trace row); anything else is a UsageError
// naming `source` (through to_count).
Index parse_run_id(const std::string& field, const std::string& source, Index runs);
// traces.csv: run_id, then every trace column (lib/trace_csv.hpp).
std::vector<std::string> traces_header();
std::vector<std::vector<std::string>> traces_rows(const Ran& ran);

// The statistics best.csv gives of each summarized metric, as <metric>_<name> columns.
struct SummaryStat {
  std::string name;
  double q;  // the quantile
};
const std::vector<SummaryStat>& summary_stats();

// Columns of runs.csv, best.csv or traces.csv whose values depend on the machine's speed.
bool is_timing_column(const std::string& name);

}  // namespace descent
