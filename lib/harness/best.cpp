#include "lib/harness/best.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>
#include <tuple>

#include "lib/harness/columns.hpp"

namespace descent {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

const RunColumn& column_of(const std::string& metric) {
  const RunColumn* c = find_run_column(metric);
  if (!c) throw std::logic_error(fmt::format("no run column '{}'", metric));
  return *c;
}

bool is_target_metric(const std::string& metric) { return column_of(metric).to_target; }

bool maximized(const std::string& metric) { return column_of(metric).better == Better::higher; }

// The columns that name one configuration (problem, optimizer, config, schedule, batch).
std::vector<std::string> configuration_columns() {
  std::vector<std::string> names;
  for (const RunColumn& c : run_columns())
    if (c.configuration) names.push_back(c.name);
  return names;
}

using Rows = std::vector<std::size_t>;  // indices of the runs of one configuration

// The values of a metric over some runs, in run order; failures and never-reached count as the
// worst value.
std::vector<double> values_of(const CsvTable& t, const Rows& rows, const std::string& metric) {
  const RunColumn& c = column_of(metric);
  const double worst = c.better == Better::higher ? -kInf : kInf;
  const std::size_t column = t.column(metric), status = t.column("status");
  std::vector<double> values;
  for (std::size_t i : rows) {
    const auto& row = t.rows[i];
    double v = 0;
    if (row[column].empty() || !parse_double(row[column], v) || std::isnan(v) ||
        (row[status] != "ok" && !c.to_target))
      v = worst;
    values.push_back(v);
  }
  return values;
}

double statistic(std::vector<double> v, const std::string& stat, bool maximize) {
  std::sort(v.begin(), v.end());
  if (stat == "mean") return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
  if (stat == "worst") return maximize ? v.front() : v.back();
  return quantile(v, 0.5);
}

// Runs grouped in order of first appearance: (problem, optimizer) -> configuration -> runs.
using Groups = std::vector<std::pair<std::string, std::vector<std::pair<std::string, Rows>>>>;

Groups group_runs(const CsvTable& t) {
  Groups groups;
  auto slot = [](auto& list, const std::string& key) -> auto& {
    auto it = std::find_if(list.begin(), list.end(), [&](const auto& g) { return g.first == key; });
    if (it == list.end()) it = list.insert(list.end(), {key, {}});
    return it->second;
  };
  std::vector<std::size_t> rest;  // the configuration columns after problem and optimizer
  for (const std::string& name : configuration_columns())
    if (name != "problem" && name != "optimizer") rest.push_back(t.column(name));
  const auto problem = t.column("problem"), optimizer = t.column("optimizer");
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const auto& r = t.rows[i];
    auto& configs = slot(groups, r[problem] + "\x1f" + r[optimizer]);
    std::string key;
    for (std::size_t c : rest) key += r[c] + "\x1f";
    slot(configs, key).push_back(i);
  }
  return groups;
}

// How a configuration did under the tuning rule. Ties (typically: never reached, +inf) go to
// the higher success rate, then to the lower median final gap (the loss where f* is unknown;
// f* differs between seeds' instances), so that a failing optimizer still shows its least bad
// setting.
struct Score {
  double value, success, gap, loss;
  bool better_than(const Score& o, bool maximize) const {
    if (value != o.value) return maximize ? value > o.value : value < o.value;
    return std::tie(o.success, gap, loss) < std::tie(success, o.gap, o.loss);
  }
};

Score score_of(const CsvTable& t, const Rows& rows, const TuneRule& rule, bool has_target) {
  double successes = 0;
  for (std::size_t i : rows)
    successes += has_target ? !t.rows[i][t.column("iters_to_target")].empty()
                            : t.rows[i][t.column("status")] == "ok";
  return {statistic(values_of(t, rows, rule.metric), rule.stat, maximized(rule.metric)),
          successes / double(rows.size()),
          statistic(values_of(t, rows, "final_gap"), "median", false),
          statistic(values_of(t, rows, "final_loss"), "median", false)};
}

// The metrics each problem has at all: the target metrics when the experiment has a target, any
// other metric when a run of the problem that finished ok has a value for it (no test set: no
// accuracy; no known optimum: no gap). Failed runs leave every field empty, so for a problem none
// of whose runs finished ok nothing can be told, and its metrics show as failures (±∞). best.csv
// leaves the metrics a problem lacks empty rather than calling them unreached.
class ProblemMetrics {
 public:
  ProblemMetrics(const CsvTable& t, bool has_target) : has_target_(has_target) {
    for (const auto& r : t.rows) {
      if (r[t.column("status")] != "ok") continue;
      auto& metrics = seen_[r[t.column("problem")]];
      for (const RunColumn& c : run_columns())
        if (c.better != Better::none && !r[t.column(c.name)].empty()) metrics.insert(c.name);
    }
  }
  bool has(const std::string& problem, const std::string& metric) const {
    if (is_target_metric(metric)) return has_target_;
    const auto it = seen_.find(problem);
    return it == seen_.end() || it->second.contains(metric);
  }

 private:
  bool has_target_;
  std::map<std::string, std::set<std::string>> seen_;  // problem -> metrics an ok run has
};

}  // namespace

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double pos = q * double(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const double frac = pos - double(lo);
  if (frac == 0 || lo + 1 >= sorted.size()) return sorted[lo];
  const double a = sorted[lo], b = sorted[lo + 1];
  if (std::isinf(a) || std::isinf(b)) return std::isinf(b) ? b : a;
  return a + frac * (b - a);
}

void write_best(const CsvTable& runs, const TuneRule& rule, bool has_target,
                const std::filesystem::path& path) {
  std::vector<std::string> summarized;
  for (const RunColumn& c : run_columns())
    if (c.summarized) summarized.push_back(c.name);
  const std::vector<std::string> configuration = configuration_columns();
  std::vector<std::string> header = configuration;
  header.insert(header.end(), {"seeds", "success_rate", "tune_metric", "tune_stat", "tune_value"});
  for (const std::string& m : summarized)
    for (const SummaryStat& s : summary_stats()) header.push_back(fmt::format("{}_{}", m, s.name));
  const ProblemMetrics metrics(runs, has_target);
  CsvWriter out(path, header);
  for (const auto& [outer, configs] : group_runs(runs)) {
    const Rows* best = nullptr;
    Score best_score{};
    for (const auto& [inner, rows] : configs) {
      const Score score = score_of(runs, rows, rule, has_target);
      if (!best || score.better_than(best_score, maximized(rule.metric)))
        best = &rows, best_score = score;
    }
    const auto& first = runs.rows[best->front()];
    auto cell = [&](const std::string& metric, double v) {
      return metrics.has(first[runs.column("problem")], metric) ? format_number(v) : std::string();
    };
    std::vector<std::string> row;
    for (const std::string& c : configuration) row.push_back(first[runs.column(c)]);
    row.insert(row.end(), {fmt::format("{}", best->size()), format_number(best_score.success),
                           rule.metric, rule.stat, cell(rule.metric, best_score.value)});
    for (const std::string& m : summarized) {
      std::vector<double> v = values_of(runs, *best, m);
      std::sort(v.begin(), v.end());
      for (const SummaryStat& s : summary_stats()) row.push_back(cell(m, quantile(v, s.q)));
    }
    out.row(row);
  }
  out.commit();
}

}  // namespace descent
