// budget.csv: what tuning buys. For each problem × optimizer of a random-search experiment, the
// expected best tune metric when only k of its configurations can be tried (Dodge et al. 2019,
// "Show Your Work: Improved Reporting of Experimental Results", expected validation performance),
// with quartiles over seeds; k = 0 is the default hyperparameters alone (search.defaults).
//
// A configuration is one random draw of a table (its config, schedule and batch); a table draws
// N = samples × schedules × batches of them per problem. For each seed r, with the N values of
// that seed's runs sorted best first, v_(1) … v_(N), the expected best of k draws without
// replacement is exactly
//   E_k = Σ_{i=1}^{N−k+1} v_(i) · C(N−i, k−1) / C(N, k),
// the weight of v_(i) being the probability that it is the best of k draws (ties give the same
// expectation in any order). budget.csv has the median, quartiles (numpy's linear rule) and mean
// of E_k over the seeds; at k = 0, of the default runs' value (their mean over schedules and
// batches, when there are several: the expected value of one of them).
//
// Failures: a configuration that diverges is worth no more than not moving. A run that did not
// finish ok, or whose final metric is empty or NaN, counts as the metric's value at the start
// point: its traces.csv row with iter 0, in the trace column the metric is named after (final_loss
// and best_loss: loss, final_gap: gap, final_test_acc: test_acc, final_<x>: <x>); the same for
// every run of the seed (common random numbers), so a run without a trace takes another run's.
// To-target metrics (iters_to_target, …): an unreached target counts as +∞, which propagates: E_k
// is ∞ while k draws can all miss the target (k ≤ the number of configurations that missed it).
// A metric the problem lacks (no test set, no f*; the to-target ones without a target) leaves the
// cells empty.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lib/csv.hpp"
#include "lib/harness/experiment.hpp"

namespace descent {

// budget.csv's columns, in file order, with their meaning (for `descent list columns`).
struct BudgetColumn {
  std::string name;
  std::string help;
};
const std::vector<BudgetColumn>& budget_columns();

// E_k of `values` (the N configurations' values of one seed; ±∞ allowed, no NaN), 1 <= k <= N.
double expected_best(std::vector<double> values, int k, bool maximize);

// Whether an experiment has budget.csv: random search.
bool has_budget(const Experiment& e);

// Writes budget.csv from a sweep's runs and traces (sorted or not); the runs must be those of
// expand(e), all of them.
void write_budget(const Experiment& e, const CsvTable& runs, const CsvTable& traces,
                  const std::filesystem::path& path);

}  // namespace descent
