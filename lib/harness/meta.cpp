#include "lib/harness/meta.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include <chrono>
#include <sstream>

#include "lib/build_info.hpp"
#include "lib/csv.hpp"
#include "lib/harness/budget.hpp"
#include "lib/harness/columns.hpp"
#include "lib/optimizer_registry.hpp"
#include "lib/spec.hpp"
#include "lib/trace_csv.hpp"
#include "problems/registry.hpp"

namespace descent {

namespace {

const char* to_string(RunColumn::Role r) {
  switch (r) {
    case RunColumn::Role::identity:
      return "identity";
    case RunColumn::Role::hyperparameters:
      return "hyperparameters";
    case RunColumn::Role::outcome:
      return "outcome";
    case RunColumn::Role::result:
      break;
  }
  return "result";
}

const char* to_string(TraceColumn::Needs n) {
  switch (n) {
    case TraceColumn::Needs::optimum:
      return "optimum";
    case TraceColumn::Needs::test_set:
      return "test_set";
    case TraceColumn::Needs::nothing:
      break;
  }
  return "";
}

const char* to_string(TraceColumn::Axis a) {
  return a == TraceColumn::Axis::progress ? "progress" : "value";
}

// A value's direction; progress has none.
const char* better_of(const TraceColumn& c) {
  if (c.axis == TraceColumn::Axis::progress) return "";
  return c.lower_is_better ? "lower" : "higher";
}

// The facts of every column, for the scripts that read the results (scripts/plotlib.py): they
// keep no list of their own.
toml::table columns_table() {
  toml::array runs, traces, stats;
  for (const RunColumn& c : run_columns())
    runs.push_back(toml::table{{"name", c.name},
                               {"label", c.label},
                               {"help", c.help},
                               {"role", to_string(c.role)},
                               {"better", to_string(c.better)},
                               {"to_target", c.to_target},
                               {"summarized", c.summarized},
                               {"configuration", c.configuration},
                               {"integer", c.integer},
                               {"timing", c.timing}});
  for (const TraceColumn& c : trace_columns())
    traces.push_back(toml::table{{"name", c.name},
                                 {"label", c.label},
                                 {"help", c.help},
                                 {"axis", to_string(c.axis)},
                                 {"better", better_of(c)},
                                 {"needs", to_string(c.needs)},
                                 {"timing", c.timing}});
  for (const SummaryStat& s : summary_stats()) stats.push_back(s.name);
  toml::array budget;
  for (const BudgetColumn& c : budget_columns())
    budget.push_back(toml::table{{"name", c.name}, {"help", c.help}});
  return toml::table{
      {"runs", runs}, {"traces", traces}, {"summary_stats", stats}, {"budget", budget}};
}

// What budget.csv holds (random search): its metric and direction, and each table's k values.
toml::table budget_table(const Experiment& e) {
  toml::array curves;
  for (const OptimizerPlan& plan : e.optimizers) {
    toml::array ks;
    if (e.search_defaults) ks.push_back(0);
    for (int k : budget_ks(e, plan)) ks.push_back(k);
    curves.push_back(toml::table{{"optimizer", plan.label},
                                 {"configurations", configurations_searched(e, plan)},
                                 {"k", ks}});
  }
  const RunColumn* metric = find_run_column(e.tune_metric);
  return toml::table{{"metric", e.tune_metric},
                     {"better", metric ? to_string(metric->better) : ""},
                     {"defaults", e.search_defaults},
                     {"curves", curves}};
}

// Where each optimizer and problem of the experiment comes from: "built in", "Python", "the
// program" (an outside project's registration) or "plugin '<absolute path>'", so that whoever
// reads or resumes the results knows what else they need.
toml::table components_table(const Experiment& e) {
  toml::table optimizers, problems;
  for (const OptimizerPlan& plan : e.optimizers)
    optimizers.insert(plan.optimizer, find_optimizer(plan.optimizer).origin);
  for (const std::string& spec : e.problems) {
    const std::string name = parse_problem(spec).name();
    for (const ProblemEntry& entry : problem_registry())
      if (entry.info.name == name) problems.insert(name, entry.origin);
  }
  return toml::table{{"optimizers", optimizers}, {"problems", problems}};
}

}  // namespace

void write_meta(const std::filesystem::path& path, const Experiment& e, const SweepFacts& facts) {
  toml::table build;
  for (const BuildFact& f : build_facts()) build.insert(f.key, f.value);
  toml::table meta{
      {"build", build},
      {"git_commit", git_commit()},
      {"cpu", cpu_model()},
      {"threads", facts.threads},
      {"shard", facts.shard},
      {"runs", static_cast<std::int64_t>(facts.runs)},
      {"date", fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::time(nullptr)))},
      {"experiment_file", e.source},
      {"experiment", e.text},
      {"base_seed", static_cast<std::int64_t>(e.seed)},
      {"seed_derivation",
       "run seed = derive_seed(base_seed, rep) (SplitMix64); the problem instance, start point, "
       "data split, batch order and gradient noise each draw from derive_seed(run seed, stream) "
       "with their own stream, so every optimizer meets the same instances"},
      {"components", components_table(e)},
      {"columns", columns_table()},
  };
  if (has_budget(e)) meta.insert("budget", budget_table(e));
  std::ostringstream text;
  text << toml::json_formatter{meta} << "\n";
  write_text_file(path, text.str());
}

}  // namespace descent
