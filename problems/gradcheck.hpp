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
//
// What is checked (`mask`): by default the full objective (loss_grad; dropout's masks are 1).
// The gradient an optimizer sees with dropout is another function, the loss at one draw of the
// masks: `fresh` checks it as a naive check would, drawing new masks at every evaluation (the
// differences then measure the change of mask, not of x, and the check fails); `fixed` draws
// them once and uses the same masks at every evaluation, a smooth function whose gradient is
// the one back-propagated (the check passes). Both evaluate every training sample.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lib/problem.hpp"

namespace descent {

enum class GradCheckMask { off, fresh, fixed };

struct GradCheckOptions {
  int points = 3;
  std::uint64_t seed = 0;  // the start point (kStart stream) and the perturbations
  double tolerance = 1e-6;
  GradCheckMask mask = GradCheckMask::off;  // with fresh or fixed the Hessian is not checked
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

// The error of plain differences against the step h (the course's claim that central
// differences are the more accurate): at each h, one-sided (f(x + h v) − f(x))/h, error O(h),
// and central (f(x + h v) − f(x − h v))/(2h), error O(h²), without extrapolation or kink
// detection, in gradcheck's directions and error norm, the largest over its points. Rounding
// adds about ε f / h to both, so each error has a minimum in h.
struct StepError {
  double step, one_sided, central;
};
std::vector<StepError> difference_errors(const Problem& problem, const GradCheckOptions& options,
                                         std::span<const double> steps);

}  // namespace descent
