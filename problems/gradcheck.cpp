#include "problems/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace descent {
namespace {

constexpr std::uint64_t kGradcheckStream = 0x67726164;  // "grad"
constexpr Index kMaxCoordinateDim = 64;
constexpr Index kRandomDirections = 24;

}  // namespace

GradCheckResult gradcheck(const Problem& p, const GradCheckOptions& o) {
  const Index d = p.dim();
  const bool hess = p.has_hessian();
  GradCheckResult r;
  r.points = o.points;
  r.coordinates = d <= kMaxCoordinateDim;
  r.directions = r.coordinates ? d : kRandomDirections;
  if (hess) r.hessian_error = 0.0;
  Rng rng(derive_seed(o.seed, kGradcheckStream));
  const VecX x0 = p.initial_point(derive_seed(o.seed, kStart));
  const double spread = 0.1 * std::max(1.0, x0.lpNorm<Eigen::Infinity>());
  VecX x(d), v(d), y(d), g(d), gy(d);
  MatX h(hess ? d : 0, hess ? d : 0);
  std::vector<VecX> grads(4, VecX(d));
  bool finite = true;
  for (int point = 0; point < o.points; ++point) {
    for (Index i = 0; i < d; ++i) x[i] = x0[i] + spread * rng.normal();
    const double f = p.loss_grad(x, g);
    const double gnorm = std::max(g.norm(), 1e-8 * std::max(1.0, std::abs(f)));
    if (hess) p.hessian(x, h);
    const double hnorm = hess ? std::max(h.norm(), 1e-300) : 1.0;
    const double base = 1e-5 * std::max(1.0, x.lpNorm<Eigen::Infinity>());
    double grad_sq = 0, grad_max = 0, hess_sq = 0, hess_max = 0, hv_max = 0;
    finite = finite && std::isfinite(f) && g.allFinite() && (!hess || h.allFinite());
    for (Index k = 0; k < r.directions; ++k) {
      if (r.coordinates) {
        v.setZero();
        v[k] = 1;
      } else {
        for (Index i = 0; i < d; ++i) v[i] = rng.normal();
        v.normalize();
      }
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
          fs[j] = p.loss_grad(y, grads[std::size_t(j)]);
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
      const double e = dv - g.dot(v);
      grad_sq += e * e;
      grad_max = std::max(grad_max, std::abs(e));
      if (hess) {
        const VecX hv = h * v;
        const double eh = (dg - hv).norm();
        hess_sq += eh * eh;
        hess_max = std::max(hess_max, eh);
        hv_max = std::max(hv_max, hv.norm());
      }
    }
    const double ge = r.coordinates ? std::sqrt(grad_sq) / gnorm : grad_max / gnorm;
    r.gradient_error = std::max(r.gradient_error, ge);
    if (hess) {
      const double he =
          r.coordinates ? std::sqrt(hess_sq) / hnorm : hess_max / std::max(hv_max, 1e-300);
      const double asym = (h - h.transpose()).norm() / hnorm;
      r.hessian_error = std::max({*r.hessian_error, he, asym});
    }
  }
  const Index total = Index(o.points) * r.directions;
  r.passed = finite && std::isfinite(r.gradient_error) && r.gradient_error <= o.tolerance &&
             (!hess || *r.hessian_error <= o.tolerance) && 4 * r.nonsmooth <= total;
  return r;
}

}  // namespace descent
