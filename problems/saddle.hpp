// A strict saddle with d − k positive-curvature and k double-well directions:
//
//   f(x, y) = Σ_{i<m} c_i x_i²/2 + Σ_{j<k} (y_j⁴/4 − y_j²/2),   m = d − k,
//   c_i = 10^(i/(m−1)) (log-spaced from 1 to 10; c_0 = 1 when m = 1)
//
// The coordinates are (x_0, ..., x_{m−1}, y_0, ..., y_{k−1}). Stationary points: x = 0 and
// every y_j ∈ {−1, 0, 1}; the origin is a saddle with k directions of curvature −1; the 2^k
// minima have y_j = ±1 and f* = −k/4. For dim=2, neg=1 this is f = x²/2 + y⁴/4 − y²/2.
// Start point: next to the saddle, x_i = 1 and y_j = 1e-3.
#pragma once

#include <fmt/format.h>

#include <cmath>

#include "lib/limits.hpp"
#include "lib/problem.hpp"

namespace descent {

class Saddle final : public Problem {
 public:
  static ProblemInfo info() {
    return {"saddle",
            "strict saddle: escape k negative-curvature directions",
            "Σ_{i<d−k} c_i x_i²/2 + Σ_{j<k} (y_j⁴/4 − y_j²/2), c_i = 10^(i/(d−k−1)) "
            "(1 to 10; 1 when d − k = 1); coordinates (x, y), k = `neg`. `saddle` "
            "is x²/2 + y⁴/4 − y²/2\nstart: x_i = 1, y_j = 1e-3 (next to the saddle "
            "at 0)\nf*: −k/4 at x = 0, y_j = ±1",
            {size_key("dim", "2", "dimension d", limits::parameters, "parameters"),
             int_key("neg", "1", "k: double-well (negative curvature at 0) directions, <= d",
                     Range::nonnegative)}};
  }

  Saddle(const Params& p, std::uint64_t) : d_(p.integer("dim")), k_(p.integer("neg")) {
    if (k_ > d_)
      throw UsageError(fmt::format("problem spec '{}': key 'neg' must be <= dim", p.canonical()));
    const Index m = d_ - k_;
    c_.resize(m);
    for (Index i = 0; i < m; ++i) c_[i] = m == 1 ? 1.0 : std::pow(10.0, double(i) / double(m - 1));
  }

  Index dim() const override { return d_; }
  VecX initial_point(std::uint64_t) const override {
    VecX x(d_);
    x.head(d_ - k_).setOnes();
    x.tail(k_).setConstant(1e-3);
    return x;
  }
  double loss_grad(VecIn x, VecOut g) const override {
    const Index m = d_ - k_;
    g.head(m) = c_.cwiseProduct(x.head(m));
    const auto y = x.tail(k_).array();
    g.tail(k_) = (y * y * y - y).matrix();
    return 0.5 * x.head(m).dot(g.head(m)) + (y * y * (0.25 * y * y - 0.5)).sum();
  }
  std::optional<double> optimum() const override { return -0.25 * double(k_); }
  bool has_hessian() const override { return true; }
  void hessian(VecIn x, Eigen::Ref<MatX> h) const override {
    const Index m = d_ - k_;
    h.setZero();
    h.diagonal().head(m) = c_;
    h.diagonal().tail(k_) = (3 * x.tail(k_).array().square() - 1).matrix();
  }

 private:
  Index d_, k_;
  VecX c_;
};

}  // namespace descent
