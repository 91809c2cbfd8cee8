// The Rosenbrock valley (Rosenbrock 1960), in its chained d-dimensional form:
//
//   f(x) = Σ_{i=0}^{d−2} 100 (x_{i+1} − x_i²)² + (1 − x_i)²,   f* = 0 at (1, ..., 1)
//
// Start point: (−1.2, 1, −1.2, 1, ...), the classic one (Moré, Garbow & Hillstrom 1981).
#pragma once

#include <fmt/format.h>

#include "lib/limits.hpp"
#include "lib/problem.hpp"

namespace descent {

class Rosenbrock final : public Problem {
 public:
  static ProblemInfo info() {
    return {"rosenbrock",
            "curved narrow valley (chained form for dim > 2)",
            "Σ_{i<d−1} 100 (x_{i+1} − x_i²)² + (1 − x_i)²\nstart: (−1.2, 1, −1.2, "
            "1, …)\nf*: 0 at (1, …, 1)",
            {size_key("dim", "2", "dimension d ≥ 2", limits::parameters, "parameters")}};
  }

  Rosenbrock(const Params& p, std::uint64_t) : d_(p.integer("dim")) {
    if (d_ < 2)
      throw UsageError(fmt::format("problem spec '{}': key 'dim' must be >= 2", p.canonical()));
  }

  Index dim() const override { return d_; }
  VecX initial_point(std::uint64_t) const override {
    VecX x(d_);
    for (Index i = 0; i < d_; ++i) x[i] = i % 2 == 0 ? -1.2 : 1.0;
    return x;
  }
  double loss_grad(VecIn x, VecOut g) const override {
    // One pass that writes each g_i once (no zeroing and read-modify-write): in a 2-D run the
    // gradient is on the critical path of every step.
    double f = 0, carry = 0;  // carry: 200 r_{i−1}, the previous term's share of g_i
    for (Index i = 0; i + 1 < d_; ++i) {
      const double r = x[i + 1] - x[i] * x[i], s = 1 - x[i];
      f += 100 * r * r + s * s;
      g[i] = carry - 400 * x[i] * r - 2 * s;
      carry = 200 * r;
    }
    g[d_ - 1] = carry;
    return f;
  }
  std::optional<double> optimum() const override { return 0.0; }
  bool has_hessian() const override { return true; }
  void hessian(VecIn x, Eigen::Ref<MatX> h) const override {
    h.setZero();
    for (Index i = 0; i + 1 < d_; ++i) {
      h(i, i) += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
      h(i, i + 1) -= 400 * x[i];
      h(i + 1, i) -= 400 * x[i];
      h(i + 1, i + 1) += 200;
    }
  }

 private:
  Index d_;
};

}  // namespace descent
