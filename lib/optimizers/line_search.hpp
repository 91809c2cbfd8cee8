// A line search for the strong Wolfe conditions, shared by `lbfgs` and `cg` (Nocedal & Wright,
// Numerical Optimization, 2nd ed., Algorithms 3.5 and 3.6). Along a descent direction p_k,
// φ(α) = f(x_k + α p_k) with φ'(0) = ∇f_kᵀp_k < 0, it finds α with
//
//   φ(α) ≤ φ(0) + c1 α φ'(0)      (sufficient decrease, 3.7a)
//   |φ'(α)| ≤ c2 |φ'(0)|          (curvature, 3.7b)
//
// Algorithm 3.5 (bracketing): from α_0 = 0 and the trial α_1, for i = 1, 2, ...
//   if φ(α_i) > φ(0) + c1 α_i φ'(0) or (i > 1 and φ(α_i) ≥ φ(α_{i−1})): zoom(α_{i−1}, α_i)
//   if |φ'(α_i)| ≤ −c2 φ'(0): accept α_i
//   if φ'(α_i) ≥ 0: zoom(α_i, α_{i−1})
//   α_{i+1} = 2 α_i
// Algorithm 3.6, zoom(α_lo, α_hi): α_j is the minimizer of the cubic through φ and φ' at α_lo
// and α_hi (3.59),
//   d1 = φ'(α_lo) + φ'(α_hi) − 3 (φ(α_lo) − φ(α_hi)) / (α_lo − α_hi)
//   d2 = sign(α_hi − α_lo) √(d1² − φ'(α_lo) φ'(α_hi))
//   α_j = α_hi − (α_hi − α_lo) (φ'(α_hi) + d2 − d1) / (φ'(α_hi) − φ'(α_lo) + 2 d2),
// clamped to the middle 80% of the interval (bisection when the cubic has no minimizer); then
//   if φ(α_j) > φ(0) + c1 α_j φ'(0) or φ(α_j) ≥ φ(α_lo): α_hi = α_j
//   else: if |φ'(α_j)| ≤ −c2 φ'(0) accept α_j; if φ'(α_j)(α_hi − α_lo) ≥ 0: α_hi = α_lo;
//         α_lo = α_j.
// Every evaluation of f brings ∇f with it (the oracle computes both), so φ' is never extra.
// Rounding: 3.7a is tested as φ(α) ≤ φ(0) + c1 α φ'(0) + 4 u |φ(0)| (u = 2⁻⁵², as the
// approximate Wolfe conditions of Hager & Zhang 2005 allow), so that next to a minimizer, where
// the decrease is below the rounding of f, steps are still taken instead of the search failing.
// A non-finite φ counts as a failed sufficient decrease. After `max_evals` evaluations without
// an α meeting both conditions, the best α_lo > 0 found is returned (it meets 3.7a) with
// `wolfe = false`; when there is none, α = 0 and the iterate stays.
//
// The last evaluation made is always at the returned α > 0 (re-evaluated if needed), so the
// caller's buffers hold x_k + α p_k and its gradient, and the run loop's measurement of the new
// iterate costs nothing.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"
#include "lib/oracle.hpp"
#include "lib/spec.hpp"

namespace descent {

struct WolfeConditions {
  double c1, c2;
  int max_evals;

  // The keys of a method that searches this way; c2's default is the method's own (0.9 for
  // quasi-Newton, 0.1 for conjugate gradients, N&W §3.1).
  static Fields<WolfeConditions> fields(const std::string& c2_default) {
    using C = WolfeConditions;
    return {real_key(&C::c1, "c1", "1e-4", "sufficient-decrease constant c1", Range::positive),
            real_key(&C::c2, "c2", c2_default, "curvature constant c2 (> c1)", Range::unit_open),
            int_key(&C::max_evals, "max_evals", "20", "evaluations per line search",
                    Range::at_least_one)};
  }
  // c1 < c2, which neither key alone can check; the message names the optimizer.
  void check(const std::string& optimizer) const {
    if (!(c1 < c2))
      throw UsageError(fmt::format("optimizer '{}': key 'c1' must be below c2 (got c1={}, c2={})",
                                   optimizer, c1, c2));
  }
};

struct LineSearchResult {
  double alpha = 0;  // 0: no point of sufficient decrease found
  double f = 0, dphi = 0;
  int evals = 0;
  bool wolfe = false;  // both strong Wolfe conditions hold at alpha
};

namespace line_search_detail {

struct Point {
  double a, f, d;  // α, φ(α), φ'(α)
};

// The minimizer of the cubic interpolating φ, φ' at lo and hi (N&W 3.59), clamped to the middle
// 80% of the bracket; the midpoint when the cubic has none.
inline double cubic_step(const Point& lo, const Point& hi) {
  const double width = hi.a - lo.a;
  const double mid = lo.a + 0.5 * width;
  const double d1 = lo.d + hi.d - 3 * (lo.f - hi.f) / (lo.a - hi.a);
  const double disc = d1 * d1 - lo.d * hi.d;
  if (!(disc >= 0) || !std::isfinite(disc)) return mid;
  const double d2 = std::copysign(std::sqrt(disc), width);
  const double denom = hi.d - lo.d + 2 * d2;
  if (denom == 0) return mid;
  const double a = hi.a - width * (hi.d + d2 - d1) / denom;
  const double l = std::min(lo.a, hi.a) + 0.1 * std::abs(width);
  const double h = std::max(lo.a, hi.a) - 0.1 * std::abs(width);
  return std::isfinite(a) ? std::clamp(a, l, h) : mid;
}

}  // namespace line_search_detail

// phi(α, f, dphi) evaluates f and φ' = ∇fᵀp at x_k + α p_k into the caller's buffers.
// f0 = φ(0), d0 = φ'(0) < 0, alpha1: the first trial step.
template <class Phi>
LineSearchResult strong_wolfe(Phi&& phi, double f0, double d0, double alpha1,
                              const WolfeConditions& w) {
  using line_search_detail::Point;
  LineSearchResult r;
  double last = -1;  // α of the last evaluation
  auto eval = [&](double a) {
    Point p{a, 0, 0};
    phi(a, p.f, p.d);
    ++r.evals;
    last = a;
    return p;
  };
  const double slack = 4 * std::numeric_limits<double>::epsilon() * std::abs(f0);
  auto armijo = [&](const Point& p) { return p.f <= f0 + w.c1 * p.a * d0 + slack; };  // NaN: no
  auto curvature = [&](const Point& p) { return std::abs(p.d) <= -w.c2 * d0; };
  auto finish = [&](const Point& p, bool wolfe) {
    if (p.a > 0 && last != p.a) eval(p.a);  // leave the accepted point in the buffers
    r.alpha = p.a;
    r.f = p.f;
    r.dphi = p.d;
    r.wolfe = wolfe;
    return r;
  };
  // Algorithm 3.6. lo meets 3.7a and has the lowest φ so far.
  auto zoom = [&](Point lo, Point hi) {
    while (r.evals < w.max_evals) {
      const Point p = eval(line_search_detail::cubic_step(lo, hi));
      if (!armijo(p) || p.f >= lo.f) {
        hi = p;
      } else {
        if (curvature(p)) return finish(p, true);
        if (p.d * (hi.a - lo.a) >= 0) hi = lo;
        lo = p;
      }
    }
    return finish(lo, false);
  };
  // Algorithm 3.5.
  Point prev{0, f0, d0};
  double a = alpha1;
  for (int i = 1; r.evals < w.max_evals; ++i, a *= 2) {
    const Point p = eval(a);
    if (!armijo(p) || (i > 1 && p.f >= prev.f)) return zoom(prev, p);
    if (curvature(p)) return finish(p, true);
    if (p.d >= 0) return zoom(p, prev);
    prev = p;
  }
  return finish(prev, false);
}

// φ along p_k from x_k, with f and ∇f from the run loop's oracle, for strong_wolfe: each
// evaluation leaves x_k + α p_k in xt and its gradient in gt, so after a search that returns
// α > 0 they hold the new iterate and its gradient. x is held by value: it is a view.
inline auto along(Oracle& oracle, CVecRef<double> x, const VecX& p, VecX& xt, VecX& gt) {
  return [&oracle, x, &p, &xt, &gt](double a, double& f, double& d) {
    xt = x + a * p;
    f = oracle.loss_grad(xt, gt);
    d = gt.dot(p);
  };
}

}  // namespace descent
