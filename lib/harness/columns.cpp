#include "lib/harness/columns.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "lib/csv.hpp"
#include "lib/limits.hpp"
#include "lib/trace_csv.hpp"

namespace descent {
namespace {

using Role = RunColumn::Role;

std::string number(double v) { return format_number(v); }
std::string integer(Index v) { return fmt::format("{}", v); }
std::string finite_or_empty(double v) { return std::isnan(v) ? "" : number(v); }
template <class T>
std::string maybe(const std::optional<T>& v) {
  if (!v) return "";
  if constexpr (std::is_same_v<T, double>)
    return number(*v);
  else
    return integer(*v);
}

// Short constructors, so that the table below reads one column a line.
RunColumn identity(std::string name, std::string help, std::string (*value)(const Ran&),
                   bool configuration = false, bool is_integer = false) {
  return {.name = std::move(name),
          .label = "",
          .help = std::move(help),
          .role = Role::identity,
          .value = value,
          .configuration = configuration,
          .integer = is_integer};
}
RunColumn outcome(std::string name, std::string help, std::string (*value)(const Ran&)) {
  return {.name = std::move(name),
          .label = "",
          .help = std::move(help),
          .role = Role::outcome,
          .value = value};
}
// A count or a measurement that no tuning rule ranks by.
RunColumn count(std::string name, std::string label, std::string help,
                std::string (*value)(const Ran&), bool is_integer = true, bool timing = false) {
  return {.name = std::move(name),
          .label = std::move(label),
          .help = std::move(help),
          .value = value,
          .integer = is_integer,
          .timing = timing};
}
// A metric the tuning rule can rank by; `summarized` ones get quartiles in best.csv.
RunColumn metric(std::string name, std::string label, std::string help, Better better,
                 std::string (*value)(const Ran&), bool summarized = false) {
  return {.name = std::move(name),
          .label = std::move(label),
          .help = std::move(help),
          .value = value,
          .better = better,
          .summarized = summarized};
}
// Where the target was first met, in some unit; summarized in best.csv.
RunColumn to_target(std::string name, std::string label, std::string help,
                    std::string (*value)(const Ran&), bool is_integer, bool timing = false) {
  return {.name = std::move(name),
          .label = std::move(label),
          .help = std::move(help),
          .value = value,
          .better = Better::lower,
          .to_target = true,
          .summarized = true,
          .integer = is_integer,
          .timing = timing};
}

}  // namespace

const char* to_string(Better b) {
  switch (b) {
    case Better::lower:
      return "lower";
    case Better::higher:
      return "higher";
    case Better::none:
      break;
  }
  return "";
}

const std::vector<RunColumn>& run_columns() {
  // clang-format off
  static const std::vector<RunColumn> all = {
      identity("run_id", "the run's index in the experiment's expansion",
               [](const Ran& r) { return integer(r.spec.run_id); }, false, true),
      identity("problem", "problem spec, as written in the experiment",
               [](const Ran& r) { return r.spec.problem; }, true),
      identity("optimizer", "the optimizer table's label",
               [](const Ran& r) { return r.spec.label; }, true),
      identity("config", "the canonical optimizer spec (every key and its value)",
               [](const Ran& r) { return r.spec.config; }, true),
      identity("schedule", "learning-rate schedule spec, as written",
               [](const Ran& r) { return r.spec.schedule; }, true),
      identity("batch", "samples per step (0: full batch)",
               [](const Ran& r) { return integer(r.spec.batch); }, true, true),
      identity("dtype", "float64 or float32: the scalar of the parameters, gradients, optimizer state and products",
               [](const Ran& r) { return std::string(to_string(r.spec.dtype)); }, true),
      identity("search", "how the configuration was chosen: grid, random, or default (the default hyperparameters)",
               [](const Ran& r) { return r.spec.search; }, true),
      {.name = "hp_<key>", .label = "", .help = "each optimizer key's value, one column per key",
       .role = Role::hyperparameters},
      identity("rep", "the repetition, 0 ..< seeds", [](const Ran& r) { return integer(r.spec.rep); },
               false, true),
      identity("seed", "the run seed, from the base seed and rep",
               [](const Ran& r) { return fmt::format("{}", r.spec.seed); }, false, true),
      outcome("status", "ok, diverged or error", [](const Ran& r) { return std::string(to_string(r.status)); }),
      outcome("message", "the error, when the run failed", [](const Ran& r) { return r.message; }),
      count("iters", "iterations", "steps taken", [](const Ran& r) { return integer(r.result.summary.iters); }),
      count("epochs", "epochs", "passes over the training data",
            [](const Ran& r) { return number(r.result.summary.epochs); }, false),
      count("grad_evals", "gradient evaluations", "gradient evaluations, line searches included",
            [](const Ran& r) { return integer(r.result.summary.grad_evals); }),
      count("hess_evals", "Hessian evaluations", "Hessian evaluations",
            [](const Ran& r) { return integer(r.result.summary.hess_evals); }),
      metric("final_loss", "loss f(x)", "the loss at the last step, at the evaluation point (eval_loss)", Better::lower,
             [](const Ran& r) { return number(r.result.summary.final_loss); }, true),
      metric("best_loss", "loss f(x)", "the lowest final_loss measured (every step, or every logging point where it is measured only there)", Better::lower,
             [](const Ran& r) { return number(r.result.summary.best_loss); }),
      metric("final_gap", "optimality gap f(x) − f*", "final_loss − f* (empty without f*)", Better::lower,
             [](const Ran& r) { return r.fstar ? number(r.result.summary.final_loss - *r.fstar) : ""; }, true),
      metric("final_test_loss", "test loss", "the test part's mean cross-entropy at the end", Better::lower,
             [](const Ran& r) { return finite_or_empty(r.result.summary.final_test_loss); }),
      metric("final_test_acc", "test accuracy", "the test part's accuracy at the end", Better::higher,
             [](const Ran& r) { return finite_or_empty(r.result.summary.final_test_acc); }, true),
      to_target("iters_to_target", "iterations", "steps until the target was first met",
                [](const Ran& r) { return maybe(r.result.summary.iters_to_target); }, true),
      to_target("evals_to_target", "gradient evaluations", "gradient evaluations until then",
                [](const Ran& r) { return maybe(r.result.summary.evals_to_target); }, true),
      to_target("epochs_to_target", "epochs", "epochs until then",
                [](const Ran& r) { return maybe(r.result.summary.epochs_to_target); }, false),
      to_target("time_to_target_s", "wall-clock time (s)", "seconds until then",
                [](const Ran& r) { return maybe(r.result.summary.time_to_target_s); }, false, true),
      count("wall_s", "wall-clock time (s)", "the run's wall-clock time",
            [](const Ran& r) { return number(r.result.summary.time_s); }, false, true),
  };
  // clang-format on
  return all;
}

const RunColumn* find_run_column(std::string_view name) {
  const auto& all = run_columns();
  const auto it =
      std::find_if(all.begin(), all.end(), [&](const auto& c) { return c.name == name; });
  return it == all.end() ? nullptr : &*it;
}

std::vector<std::string> tunable_metrics() {
  std::vector<std::string> names;
  for (const RunColumn& c : run_columns())
    if (c.better != Better::none) names.push_back(c.name);
  return names;
}

std::vector<std::string> hp_keys_of(const std::vector<RunSpec>& runs) {
  std::vector<std::string> keys;
  for (const RunSpec& r : runs)
    for (const auto& [k, v] : r.hp)
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  return keys;
}

std::vector<std::string> runs_header(const std::vector<std::string>& hp_keys) {
  std::vector<std::string> h;
  for (const RunColumn& c : run_columns()) {
    if (c.role != Role::hyperparameters) {
      h.push_back(c.name);
      continue;
    }
    for (const std::string& k : hp_keys) h.push_back("hp_" + k);
  }
  return h;
}

std::vector<std::string> runs_row(const Ran& ran, const std::vector<std::string>& hp_keys) {
  std::vector<std::string> row;
  for (const RunColumn& c : run_columns()) {
    if (c.role == Role::hyperparameters) {
      for (const std::string& key : hp_keys) {
        const auto& hp = ran.spec.hp;
        auto it =
            std::find_if(hp.begin(), hp.end(), [&](const auto& kv) { return kv.first == key; });
        row.push_back(it == hp.end() ? "" : it->second);
      }
    } else if (c.role == Role::result && ran.status == Status::error) {
      row.emplace_back();
    } else {
      row.push_back(c.value(ran));
    }
  }
  return row;
}

std::vector<std::string> run_identity(const RunSpec& spec,
                                      const std::vector<std::string>& hp_keys) {
  const RunResult none;
  const std::string no_message;
  std::vector<std::string> row = runs_row({spec, none, Status::error, no_message, {}}, hp_keys);
  std::size_t n = 0;
  for (const RunColumn& c : run_columns())
    if (c.role == Role::identity)
      ++n;
    else if (c.role == Role::hyperparameters)
      n += hp_keys.size();
  row.resize(n);  // identity and hyperparameter columns come first
  return row;
}

bool is_run(const std::vector<std::string>& row, const RunSpec& spec,
            const std::vector<std::string>& hp_keys) {
  const std::vector<std::string> identity = run_identity(spec, hp_keys);
  return row.size() >= identity.size() && std::equal(identity.begin(), identity.end(), row.begin());
}

Index parse_run_id(const std::string& field, const std::string& source, Index runs) {
  Index id = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), id);
  if (ec == std::errc() && end == field.data() + field.size() && id >= 0 && id < runs) return id;
  return to_count(field, source + ": run_id", 0, runs - 1);
}

std::vector<std::string> traces_header() {
  std::vector<std::string> h = {"run_id"};
  for (const TraceColumn& c : trace_columns()) h.push_back(c.name);
  return h;
}

std::vector<std::vector<std::string>> traces_rows(const Ran& ran) {
  std::vector<std::vector<std::string>> rows;
  for (const TracePoint& p : ran.result.trace) {
    auto& row = rows.emplace_back(1, integer(ran.spec.run_id));
    for (const TraceColumn& c : trace_columns()) row.push_back(c.value(p, ran.fstar));
  }
  return rows;
}

const std::vector<SummaryStat>& summary_stats() {
  static const std::vector<SummaryStat> all = {{"median", 0.5}, {"q25", 0.25}, {"q75", 0.75}};
  return all;
}

bool is_timing_column(const std::string& name) {
  if (const RunColumn* c = find_run_column(name)) return c->timing;
  for (const TraceColumn& c : trace_columns())
    if (c.name == name) return c.timing;
  for (const SummaryStat& s : summary_stats()) {
    const std::string suffix = "_" + s.name;
    if (name.size() > suffix.size() && name.ends_with(suffix))
      if (const RunColumn* c = find_run_column(name.substr(0, name.size() - suffix.size())))
        return c->timing;
  }
  return false;
}

}  // namespace descent
