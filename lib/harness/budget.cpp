#include "lib/harness/budget.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <stdexcept>

#include "lib/harness/best.hpp"
#include "lib/harness/columns.hpp"
#include "lib/trace_csv.hpp"

namespace descent {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::optional<double> parsed(const std::string& text) {
  double v = 0;
  if (text.empty() || !parse_double(text, v) || std::isnan(v)) return std::nullopt;
  return v;
}

// The trace column holding a final metric's value at the start point: final_loss and best_loss
// → loss, final_<x> → <x>; "" when there is none.
std::string start_column(const std::string& metric) {
  std::string name = metric;
  if (name == "best_loss")
    name = "loss";
  else if (name.starts_with("final_"))
    name = name.substr(6);
  for (const TraceColumn& c : trace_columns())
    if (c.name == name) return name;
  return "";
}

// The value of each run at its start point (its traces.csv row with iter 0), and, for runs that
// have none (a run that threw), the value of another run of the same problem and seed: every
// run of a seed starts from the same point of the same instance.
class StartValues {
 public:
  StartValues(const CsvTable& traces, const std::string& column,
              const std::vector<RunSpec>& specs) {
    if (column.empty() || !traces.has(column) || !traces.has("iter")) return;
    const std::size_t id = traces.column("run_id"), iter = traces.column("iter"),
                      value = traces.column(column);
    for (const auto& row : traces.rows)
      if (row[iter] == "0")
        if (const auto v = parsed(row[value])) by_run_.emplace(std::stol(row[id]), *v);
    for (const RunSpec& s : specs)
      if (const auto it = by_run_.find(s.run_id); it != by_run_.end())
        by_seed_.emplace(std::pair(s.problem, s.seed), it->second);
  }
  std::optional<double> of(const RunSpec& s) const {
    if (const auto it = by_run_.find(s.run_id); it != by_run_.end()) return it->second;
    if (const auto it = by_seed_.find({s.problem, s.seed}); it != by_seed_.end()) return it->second;
    return std::nullopt;
  }

 private:
  std::map<long, double> by_run_;
  std::map<std::pair<std::string, std::uint64_t>, double> by_seed_;
};

// One configuration of a problem × optimizer: how it was chosen and its value at each seed.
struct Configuration {
  std::string search;
  std::vector<double> by_rep;
};

struct Curve {
  std::string problem, label;
  std::vector<Configuration> configurations;  // in run order
};

// The mean, relative to the first value, so that equal values give that value exactly.
double mean_of(const std::vector<double>& v) {
  if (std::any_of(v.begin(), v.end(), [](double x) { return std::isinf(x); }))
    return std::accumulate(v.begin(), v.end(), 0.0);  // ±∞ (the count does not matter)
  double sum = 0;
  for (double x : v) sum += x - v.front();
  return v.front() + sum / double(v.size());
}

struct Stats {
  double median, q25, q75, mean;
};

Stats stats_of(std::vector<double> v) {
  if (std::any_of(v.begin(), v.end(), [](double x) { return std::isnan(x); }))
    return {kNaN, kNaN, kNaN, kNaN};
  std::sort(v.begin(), v.end());
  return {quantile(v, 0.5), quantile(v, 0.25), quantile(v, 0.75), mean_of(v)};
}

// The configurations' values seed by seed: element r holds each configuration's value at rep r.
std::vector<std::vector<double>> values_by_rep(const std::vector<const Configuration*>& configs,
                                               int seeds) {
  std::vector<std::vector<double>> out(static_cast<std::size_t>(seeds));
  for (std::size_t r = 0; r < out.size(); ++r)
    for (const Configuration* c : configs) out[r].push_back(c->by_rep[r]);
  return out;
}

std::string cell(double v) { return std::isnan(v) ? std::string() : format_number(v); }

}  // namespace

const std::vector<BudgetColumn>& budget_columns() {
  static const std::vector<BudgetColumn> all = {
      {"problem", "problem spec, as written in the experiment"},
      {"optimizer", "the optimizer table's label"},
      {"k", "configurations tried; 0: none, the default hyperparameters alone"},
      {"configurations",
       "N, the configurations drawn (samples × schedules × batches); at k = 0, the default runs' "
       "configurations (schedules × batches)"},
      {"seeds", "repetitions the statistics are over"},
      {"metric", "the experiment's tune metric"},
      {"median", "median over seeds of the expected best of k configurations"},
      {"q25", "its 25 % quantile over seeds"},
      {"q75", "its 75 % quantile over seeds"},
      {"mean", "its mean over seeds"},
  };
  return all;
}

double expected_best(std::vector<double> values, int k, bool maximize) {
  const int n = int(values.size());
  if (k < 1 || k > n) throw std::logic_error(fmt::format("expected_best: k = {}, N = {}", k, n));
  if (maximize)
    std::sort(values.begin(), values.end(), std::greater<>());
  else
    std::sort(values.begin(), values.end());
  // w_i = C(N−i, k−1) / C(N, k): w_1 = k / N, w_{i+1} = w_i (N−i−k+1) / (N−i), every factor in
  // [0, 1], so no binomial is ever formed (N may be in the thousands). A weight that underflows
  // to 0 contributes nothing (never 0 · ∞). The sum is taken relative to v_(N−k+1), the last
  // value with a weight: the weights sum to 1, so equal values give that value exactly.
  const int last = n - k + 1;
  const double base = values[std::size_t(last - 1)];
  double w = double(k) / double(n), sum = 0;
  for (int i = 1; i < last; ++i) {
    const double v = values[std::size_t(i - 1)];
    if (w > 0) {
      if (std::isinf(v)) return v;  // −∞ at the top of a minimization, +∞ of a maximization
      sum += w * (v - base);
    }
    w *= double(n - i - k + 1) / double(n - i);
  }
  return std::isinf(base) ? base : base + sum;
}

bool has_budget(const Experiment& e) { return e.random_samples > 0; }

void write_budget(const Experiment& e, const CsvTable& runs, const CsvTable& traces,
                  const std::filesystem::path& path) {
  const RunColumn* metric = find_run_column(e.tune_metric);
  if (!metric || metric->better == Better::none)
    throw std::logic_error(fmt::format("budget.csv: no tunable metric '{}'", e.tune_metric));
  const bool maximize = metric->better == Better::higher;
  const double worst = maximize ? -kInf : kInf;
  const std::vector<RunSpec> specs = expand(e);

  std::map<long, const std::vector<std::string>*> row_of;
  for (const auto& row : runs.rows) row_of[std::stol(row[0])] = &row;
  const std::size_t value_column = runs.column(e.tune_metric), status = runs.column("status");
  const StartValues start(traces, metric->to_target ? "" : start_column(metric->name), specs);

  // Each run's value, or nullopt when it has none (failed, and no start value). A problem lacks
  // the metric when a run of it finished ok and no run has a value, not even at its start (as in
  // best.csv: when none finished, nothing can be told, and the failures count as the worst).
  std::vector<std::optional<double>> value(specs.size());
  std::set<std::string> finished, valued;
  for (const RunSpec& s : specs) {
    const auto it = row_of.find(long(s.run_id));
    if (it == row_of.end())
      throw UsageError(fmt::format("{}: run {} is missing", runs.source, s.run_id));
    const auto& row = *it->second;
    std::optional<double> v = parsed(row[value_column]);
    if (row[status] == "ok") finished.insert(s.problem);
    if (metric->to_target) {
      if (!v) v = kInf;  // not reached
    } else if (row[status] != "ok" || !v) {
      v = start.of(s);
    }
    if (v) valued.insert(s.problem);
    value[std::size_t(s.run_id)] = v;
  }
  const auto lacks = [&](const std::string& problem) {
    if (metric->to_target) return !e.target.has_value();
    return finished.contains(problem) && !valued.contains(problem);
  };

  // Problem × optimizer curves in run order; the runs of one configuration are consecutive.
  std::vector<Curve> curves;
  for (const RunSpec& s : specs) {
    if (curves.empty() || curves.back().problem != s.problem || curves.back().label != s.label)
      curves.push_back({s.problem, s.label, {}});
    auto& configurations = curves.back().configurations;
    if (s.rep == 0) configurations.push_back({s.search, std::vector<double>(e.seeds, kNaN)});
    const auto& v = value[std::size_t(s.run_id)];
    configurations.back().by_rep[std::size_t(s.rep)] = lacks(s.problem) ? kNaN : v ? *v : worst;
  }

  std::vector<std::string> header;
  for (const BudgetColumn& c : budget_columns()) header.push_back(c.name);
  CsvWriter out(path, header);
  for (const Curve& curve : curves) {
    const auto plan = std::find_if(e.optimizers.begin(), e.optimizers.end(),
                                   [&](const OptimizerPlan& p) { return p.label == curve.label; });
    std::vector<const Configuration*> random, defaults;
    for (const Configuration& c : curve.configurations)
      (c.search == "default" ? defaults : random).push_back(&c);
    auto write = [&](int k, std::size_t configurations, const Stats& s) {
      out.row({curve.problem, curve.label, fmt::format("{}", k), fmt::format("{}", configurations),
               fmt::format("{}", e.seeds), e.tune_metric, cell(s.median), cell(s.q25), cell(s.q75),
               cell(s.mean)});
    };
    if (!defaults.empty()) {
      std::vector<double> by_rep;
      for (const auto& v : values_by_rep(defaults, e.seeds)) by_rep.push_back(mean_of(v));
      write(0, defaults.size(), stats_of(by_rep));
    }
    const auto drawn = values_by_rep(random, e.seeds);  // gathered once for every k
    for (int k : budget_ks(e, *plan)) {
      if (k > int(random.size()))
        throw std::logic_error(fmt::format("budget.csv: k = {} > N = {}", k, random.size()));
      std::vector<double> by_rep;
      for (const auto& v : drawn)
        by_rep.push_back(std::any_of(v.begin(), v.end(), [](double x) { return std::isnan(x); })
                             ? kNaN
                             : expected_best(v, k, maximize));
      write(k, random.size(), stats_of(by_rep));
    }
  }
  out.commit();
}

}  // namespace descent
