#include "lib/summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "lib/experiment.hpp"

namespace descent {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

const char* const kReported[] = {"iters_to_target",  "evals_to_target", "epochs_to_target",
                                 "time_to_target_s", "final_loss",      "final_gap",
                                 "final_test_acc"};

bool maximized(const std::string& metric) {
  for (const auto& m : tune_metrics())
    if (m.name == metric) return m.maximize;
  return false;
}

// A run's value of a metric; failures and never-reached count as the worst value.
double value_of(const CsvTable& t, const std::vector<std::string>& row, const std::string& metric) {
  const double worst = maximized(metric) ? -kInf : kInf;
  const std::string& text = row[t.column(metric)];
  double v = 0;
  if (text.empty() || !parse_double(text, v) || std::isnan(v)) return worst;
  if (row[t.column("status")] != "ok" && metric.find("_to_target") == std::string::npos)
    return worst;
  return v;
}

struct Group {
  std::vector<std::size_t> rows;
};

double statistic(std::vector<double> v, const std::string& stat, bool maximize) {
  std::sort(v.begin(), v.end());
  if (stat == "mean") return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
  if (stat == "worst") return maximize ? v.front() : v.back();
  return quantile(v, 0.5);
}

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

void write_best(const CsvTable& runs, const TuneRule& rule, const std::filesystem::path& path) {
  const bool maximize = maximized(rule.metric);
  const bool has_target = std::any_of(runs.rows.begin(), runs.rows.end(), [&](const auto& r) {
    return !r[runs.column("iters_to_target")].empty();
  });
  // Groups in order of first appearance: (problem, optimizer) -> configuration -> runs.
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, Group>>>> groups;
  for (std::size_t i = 0; i < runs.rows.size(); ++i) {
    const auto& r = runs.rows[i];
    const std::string outer = r[runs.column("problem")] + "\x1f" + r[runs.column("optimizer")];
    const std::string inner = r[runs.column("config")] + "\x1f" + r[runs.column("schedule")] +
                              "\x1f" + r[runs.column("batch")];
    auto o =
        std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == outer; });
    if (o == groups.end()) o = groups.insert(groups.end(), {outer, {}});
    auto c = std::find_if(o->second.begin(), o->second.end(),
                          [&](const auto& g) { return g.first == inner; });
    if (c == o->second.end()) c = o->second.insert(o->second.end(), {inner, {}});
    c->second.rows.push_back(i);
  }
  std::vector<std::string> header = {"problem",   "optimizer", "config",       "schedule",
                                     "batch",     "seeds",     "success_rate", "tune_metric",
                                     "tune_stat", "tune_value"};
  for (const char* m : kReported)
    for (const char* q : {"median", "q25", "q75"}) header.push_back(fmt::format("{}_{}", m, q));
  CsvWriter out(path, header);
  for (const auto& [outer, configs] : groups) {
    const Group* best = nullptr;
    double best_value = 0, best_success = -1;
    std::pair<double, double> best_fallback;
    for (const auto& [inner, g] : configs) {
      std::vector<double> v;
      double successes = 0;
      for (std::size_t i : g.rows) {
        v.push_back(value_of(runs, runs.rows[i], rule.metric));
        const auto& r = runs.rows[i];
        successes += has_target ? !r[runs.column("iters_to_target")].empty()
                                : r[runs.column("status")] == "ok";
      }
      const double s = statistic(v, rule.stat, maximize), rate = successes / double(g.rows.size());
      // Ties (typically: never reached, +inf) go to the higher success rate, then to the lower
      // median final gap (the loss where f* is unknown; f* differs between seeds' instances),
      // so that a failing optimizer still shows its least bad setting.
      std::vector<double> gaps, losses;
      for (std::size_t i : g.rows) {
        gaps.push_back(value_of(runs, runs.rows[i], "final_gap"));
        losses.push_back(value_of(runs, runs.rows[i], "final_loss"));
      }
      const std::pair<double, double> fallback = {statistic(gaps, "median", false),
                                                  statistic(losses, "median", false)};
      const bool better = !best || (maximize ? s > best_value : s < best_value) ||
                          (s == best_value && (rate > best_success ||
                                               (rate == best_success && fallback < best_fallback)));
      if (better) best = &g, best_value = s, best_success = rate, best_fallback = fallback;
    }
    const auto& first = runs.rows[best->rows.front()];
    std::vector<std::string> row = {first[runs.column("problem")],
                                    first[runs.column("optimizer")],
                                    first[runs.column("config")],
                                    first[runs.column("schedule")],
                                    first[runs.column("batch")],
                                    fmt::format("{}", best->rows.size()),
                                    format_number(best_success),
                                    rule.metric,
                                    rule.stat,
                                    format_number(best_value)};
    for (const char* m : kReported) {
      std::vector<double> v;
      for (std::size_t i : best->rows) v.push_back(value_of(runs, runs.rows[i], m));
      std::sort(v.begin(), v.end());
      for (double q : {0.5, 0.25, 0.75}) row.push_back(format_number(quantile(v, q)));
    }
    out.row(row);
  }
  out.commit();
}

}  // namespace descent
