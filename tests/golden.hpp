// The torch.optim reference trajectories of tests/golden/ (copied from the project's shared
// golden set), and a runner that replays one case through the run loop.
#pragma once

#include <string>
#include <vector>

#include "lib/problem.hpp"

namespace descent::testing {

struct GoldenCase {
  int id;
  std::string set;  // "" (torch.optim), "modern/" (the authors' code), "flavors/" (NumPy)
  std::string problem, optimizer, schedule;
  VecX x0;
  long iters;
  std::vector<double> losses;       // losses[k]: after k steps
  std::vector<double> eval_losses;  // at the evaluation point; empty when the set has none
};

// One set: the folder under tests/golden/ ("", "modern/", "flavors/").
std::vector<GoldenCase> golden_set(const std::string& set);
// Both sets: tests/golden/ and tests/golden/modern/.
std::vector<GoldenCase> golden_cases();
// The losses our implementation produces for the case, iter 0..iters: at the iterate and at
// the evaluation point.
struct Replayed {
  std::vector<double> losses, eval_losses;
};
Replayed replay(const GoldenCase& c);
double max_relative_error(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace descent::testing
