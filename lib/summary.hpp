// best.csv: for each problem × optimizer, the best configuration by the tuning rule, with the
// median and quartiles of the target metrics across its seeds and the success rate.
//
// A run succeeds when it reached the target (or, without a target, finished with status ok).
// Metrics that were never reached count as +∞ (for accuracies, −∞), so a configuration that
// fails on half its seeds has an infinite median; quantiles are numpy's linear interpolation.
// Ties go to the higher success rate, then to the lower median final gap, then final loss.
#pragma once

#include <filesystem>
#include <string>

#include "lib/csv.hpp"

namespace descent {

struct TuneRule {
  std::string metric = "final_loss";
  std::string stat = "median";  // median | mean | worst
};

void write_best(const CsvTable& runs, const TuneRule& rule, const std::filesystem::path& path);

// Numpy's default (linear) quantile of sorted values; ±∞ propagate.
double quantile(const std::vector<double>& sorted, double q);

}  // namespace descent
