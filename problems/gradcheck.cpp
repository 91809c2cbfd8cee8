#include "problems/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace descent {
namespace {

constexpr std::uint64_t kGradcheckStream = 0x67726164;  // "grad"
constexpr Index kMaxCoordinateDim = 64;
constexpr Index kRandomDirections = 24;

// The function checked (GradCheckOptions::mask): f and ∇f at x.
class Evaluator {
 public:
  Evaluator(const Problem& p, GradCheckMask mask, std::uint64_t seed)
      : p_(p), mask_(mask), masks_(derive_seed(seed, kNoise)), rows_(std::size_t(p.samples())) {
    for (std::size_t i = 0; i < rows_.size(); ++i) rows_[i] = Index(i);
  }
  double operator()(VecIn x, VecOut g) {
    if (mask_ == GradCheckMask::off) return p_.loss_grad(x, g);
    Rng rng = masks_;  // fixed: the same draws at every evaluation
    const double f = p_.sample_loss_grad(x, rows_, rng, g);
    if (mask_ == GradCheckMask::fresh) masks_ = rng;  // the next evaluation draws new ones
    return f;
  }

 private:
  const Problem& p_;
  GradCheckMask mask_;
  Rng masks_;
  std::vector<Index> rows_;
};

// The directions at one point: the coordinate axes (d ≤ 64) or unit vectors drawn from rng.
MatX directions(Index d, Rng& rng) {
  if (d <= kMaxCoordinateDim) return MatX::Identity(d, d);
  MatX v(d, kRandomDirections);
  for (Index k = 0; k < v.cols(); ++k) {
    for (Index i = 0; i < d; ++i) v(i, k) = rng.normal();
    v.col(k).normalize();
  }
  return v;
}

// The check points: the start point plus N(0, (0.1 max(1, ‖x0‖∞))²) per coordinate.
VecX check_point(const VecX& x0, Rng& rng) {
  const double spread = 0.1 * std::max(1.0, x0.lpNorm<Eigen::Infinity>());
  VecX x(x0.size());
  for (Index i = 0; i < x.size(); ++i) x[i] = x0[i] + spread * rng.normal();
  return x;
}

// Normwise relative over coordinate directions, the largest entry's for random ones (gradcheck's
// gradient and Hessian errors, and difference_errors' one-sided and central ones).
struct ErrorNorm {
  double sq = 0, max = 0;
  void add(double e) {
    sq += e * e;
    max = std::max(max, std::abs(e));
  }
  double relative(bool coordinates, double scale) const {
    return (coordinates ? std::sqrt(sq) : max) / scale;
  }
};

}  // namespace

GradCheckResult gradcheck(const Problem& p, const GradCheckOptions& o) {
  const Index d = p.dim();
  const bool hess = p.has_hessian() && o.mask == GradCheckMask::off;
  GradCheckResult r;
  r.points = o.points;
  r.coordinates = d <= kMaxCoordinateDim;
  r.directions = r.coordinates ? d : kRandomDirections;
  if (hess) r.hessian_error = 0.0;
  Rng rng(derive_seed(o.seed, kGradcheckStream));
  Evaluator eval(p, o.mask, o.seed);
  const VecX x0 = p.initial_point(derive_seed(o.seed, kStart));
  VecX x(d), v(d), y(d), g(d), gy(d);
  MatX h(hess ? d : 0, hess ? d : 0);
  std::vector<VecX> grads(4, VecX(d));
  bool finite = true;
  for (int point = 0; point < o.points; ++point) {
    x = check_point(x0, rng);
    const double f = eval(x, g);
    const double gnorm = std::max(g.norm(), 1e-8 * std::max(1.0, std::abs(f)));
    if (hess) p.hessian(x, h);
    const double hnorm = hess ? std::max(h.norm(), 1e-300) : 1.0;
    const double base = 1e-5 * std::max(1.0, x.lpNorm<Eigen::Infinity>());
    ErrorNorm grad, hessian;
    double hv_max = 0;
    finite = finite && std::isfinite(f) && g.allFinite() && (!hess || h.allFinite());
    const MatX dirs = directions(d, rng);
    for (Index k = 0; k < r.directions; ++k) {
      v = dirs.col(k);
      bool smooth = false;
      double dv = 0;
      VecX dg;
      double step = base;
      for (int attempt = 0; attempt < 3 && !smooth; ++attempt, step /= 10) {
        // Losses and gradients at x ± h v and x ± h/2 v.
        const double offsets[4] = {step, -step, step / 2, -step / 2};
        double fs[4];
        for (int j = 0; j < 4; ++j) {
          y = x + offsets[j] * v;
          fs[j] = eval(y, grads[std::size_t(j)]);
        }
        const double d1 = (fs[0] - fs[1]) / (2 * step), d2 = (fs[2] - fs[3]) / step;
        smooth = std::abs(d1 - d2) <= 0.1 * o.tolerance * gnorm;
        dv = (4 * d2 - d1) / 3;
        if (hess) {
          const VecX g1 = (grads[0] - grads[1]) / (2 * step), g2 = (grads[2] - grads[3]) / step;
          smooth = smooth && (g1 - g2).norm() <= 0.1 * o.tolerance * hnorm;
          dg = (4 * g2 - g1) / 3;
        }
      }
      if (!smooth) {
        ++r.nonsmooth;
        continue;
      }
      grad.add(dv - g.dot(v));
      if (hess) {
        const VecX hv = h * v;
        hessian.add((dg - hv).norm());
        hv_max = std::max(hv_max, hv.norm());
      }
    }
    r.gradient_error = std::max(r.gradient_error, grad.relative(r.coordinates, gnorm));
    if (hess) {
      const double he =
          hessian.relative(r.coordinates, r.coordinates ? hnorm : std::max(hv_max, 1e-300));
      const double asym = (h - h.transpose()).norm() / hnorm;
      r.hessian_error = std::max({*r.hessian_error, he, asym});
    }
  }
  const Index total = Index(o.points) * r.directions;
  r.passed = finite && std::isfinite(r.gradient_error) && r.gradient_error <= o.tolerance &&
             (!hess || *r.hessian_error <= o.tolerance) && 4 * r.nonsmooth <= total;
  return r;
}

std::vector<StepError> difference_errors(const Problem& p, const GradCheckOptions& o,
                                         std::span<const double> steps) {
  const Index d = p.dim();
  const bool coordinates = d <= kMaxCoordinateDim;
  std::vector<StepError> out;
  for (double h : steps) out.push_back({h, 0.0, 0.0});
  Rng rng(derive_seed(o.seed, kGradcheckStream));
  Evaluator eval(p, o.mask, o.seed);
  const VecX x0 = p.initial_point(derive_seed(o.seed, kStart));
  VecX x(d), g(d), scratch(d);
  for (int point = 0; point < o.points; ++point) {
    x = check_point(x0, rng);
    const double f = eval(x, g);
    const double gnorm = std::max(g.norm(), 1e-8 * std::max(1.0, std::abs(f)));
    const MatX dirs = directions(d, rng);
    for (StepError& s : out) {
      ErrorNorm one, central;
      for (Index k = 0; k < dirs.cols(); ++k) {
        const double exact = g.dot(dirs.col(k));
        const double fp = eval(x + s.step * dirs.col(k), scratch);
        const double fm = eval(x - s.step * dirs.col(k), scratch);
        one.add((fp - f) / s.step - exact);
        central.add((fp - fm) / (2 * s.step) - exact);
      }
      s.one_sided = std::max(s.one_sided, one.relative(coordinates, gnorm));
      s.central = std::max(s.central, central.relative(coordinates, gnorm));
    }
  }
  return out;
}

}  // namespace descent
