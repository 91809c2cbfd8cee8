// best.csv: for each problem × optimizer, the best configuration by the tuning rule, with the
// median and quartiles of the target metrics across its seeds and the success rate.
//
// A run succeeds when it reached the target (or, without a target, finished with status ok).
// Targets never reached, and the final metrics of failed runs, count as +∞ (for accuracies, −∞),
// so a configuration that fails on half its seeds has an infinite median; quantiles are numpy's
// linear interpolation. A metric the problem does not have (no test set, no known optimum, as
// its runs that finished ok show; the target metrics when the experiment has no target) is left
// empty. Ties go to the higher success rate, then to the lower median final gap, then final loss.
#pragma once

#include <filesystem>
#include <string>

#include "lib/csv.hpp"

namespace descent {

struct TuneRule {
  std::string metric = "final_loss";
  std::string stat = "median";  // median | mean | worst
};

// has_target: whether the experiment set a target (runs.csv cannot tell when no run reached it).
void write_best(const CsvTable& runs, const TuneRule& rule, bool has_target,
                const std::filesystem::path& path);

// Numpy's default (linear) quantile of sorted values; ±∞ propagate.
double quantile(const std::vector<double>& sorted, double q);

}  // namespace descent
