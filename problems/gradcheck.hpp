// Checks a problem's gradient (and Hessian) against central differences of its loss (and
// gradient) at random points around the start point.
//
// At each point x the directions are the coordinate axes (d ≤ 64) or 24 random unit vectors.
// Along a direction v, central differences with steps h and h/2 (h = 1e-5·max(1, |x|∞)) are
// combined by Richardson extrapolation, D = (4 D(h/2) − D(h))/3, error O(h⁴). When D(h) and
// D(h/2) disagree by more than a tenth of the tolerance the function is not smooth on that segment
// (a ReLU kink): h shrinks tenfold, twice, and a direction still not smooth is skipped and counted.
// Errors are normwise relative: ‖D − ∇f‖ / ‖∇f‖ over the directions (the largest |D_v − ∇f·v| /
// ‖∇f‖ for random directions), and for the Hessian ‖D∇f − ∇²f‖ / ‖∇²f‖ plus its asymmetry.
#pragma once

#include <cstdint>
#include <optional>

#include "lib/problem.hpp"

namespace descent {

struct GradCheckOptions {
  int points = 3;
  std::uint64_t seed = 0;  // the start point (kStart stream) and the perturbations
  double tolerance = 1e-6;
};

struct GradCheckResult {
  double gradient_error = 0;            // largest over the points
  std::optional<double> hessian_error;  // problems with a Hessian
  int points = 0;
  Index directions = 0;  // per point
  bool coordinates = false;
  Index nonsmooth = 0;  // directions skipped over all points
  bool passed = false;  // errors below the tolerance and at most a quarter skipped
};

GradCheckResult gradcheck(const Problem& problem, const GradCheckOptions& options = {});

}  // namespace descent
