// Beale's function (Beale 1958), a 2-D polynomial with flat plateaus and a sharp valley:
//
//   f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)² = Σ_{i=1..3} r_i²
//   f* = 0 at (3, 0.5)
//
// Start point: (1, 1), f = 14.203125 (Moré, Garbow & Hillstrom 1981).
#pragma once

#include <array>

#include "lib/problem.hpp"

namespace descent {

class Beale final : public Problem {
 public:
  static ProblemInfo info() {
    return {"beale",
            "2-D polynomial with plateaus and a curved valley",
            "(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²\nstart: (1, "
            "1)\nf*: 0 at (3, 0.5)",
            {}};
  }

  Beale(const Params&, std::uint64_t) {}

  Index dim() const override { return 2; }
  VecX initial_point(std::uint64_t) const override { return VecX::Ones(2); }
  double loss_grad(VecIn v, VecOut g) const override {
    const double x = v[0], y = v[1];
    double f = 0, yi = 1;  // yi = y^(i−1)
    g.setZero();
    for (int i = 1; i <= 3; ++i) {
      // r_i = c_i − x + x y^i;  ∂r/∂x = y^i − 1,  ∂r/∂y = i x y^(i−1)
      const double r = kC[i - 1] - x + x * yi * y;
      f += r * r;
      g[0] += 2 * r * (yi * y - 1);
      g[1] += 2 * r * i * x * yi;
      yi *= y;
    }
    return f;
  }
  std::optional<double> optimum() const override { return 0.0; }
  bool has_hessian() const override { return true; }
  void hessian(VecIn v, Eigen::Ref<MatX> h) const override {
    // ∇²f = 2 Σ_i ∇r_i ∇r_iᵀ + r_i ∇²r_i, with ∂²r/∂x∂y = i y^(i−1), ∂²r/∂y² = i(i−1) x y^(i−2)
    const double x = v[0], y = v[1];
    h.setZero();
    for (int i = 1; i <= 3; ++i) {
      const double yi1 = std::pow(y, i - 1), yi = yi1 * y;
      const double r = kC[i - 1] - x + x * yi, rx = yi - 1, ry = i * x * yi1;
      const double rxy = i * yi1, ryy = i > 1 ? i * (i - 1) * x * std::pow(y, i - 2) : 0.0;
      h(0, 0) += 2 * rx * rx;
      h(0, 1) += 2 * (rx * ry + r * rxy);
      h(1, 1) += 2 * (ry * ry + r * ryy);
    }
    h(1, 0) = h(0, 1);
  }

 private:
  static constexpr std::array<double, 3> kC = {1.5, 2.25, 2.625};
};

}  // namespace descent
