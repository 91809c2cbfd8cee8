// Rastrigin's function (Rastrigin 1974; Mühlenbein et al. 1991), highly multimodal:
//
//   f(x) = 10 d + Σ_i [x_i² − 10 cos(2π x_i)],   f* = 0 at x = 0
//
// A local minimum sits near every integer point. Start point: uniform on the usual domain
// [−5.12, 5.12]^d, drawn from the run's start seed (each seed starts in another basin).
#pragma once

#include <cmath>
#include <numbers>

#include "lib/limits.hpp"
#include "lib/problem.hpp"

namespace descent {

class Rastrigin final : public Problem {
 public:
  static ProblemInfo info() {
    return {"rastrigin",
            "multimodal: a local minimum near every integer point",
            "10d + Σ x_i² − 10 cos(2π x_i)\nstart: uniform on [−5.12, 5.12]^d from "
            "the seed\nf*: 0 at 0",
            {size_key("dim", "2", "dimension d", limits::parameters, "parameters")}};
  }

  Rastrigin(const Params& p, std::uint64_t) : d_(p.integer("dim")) {}

  Index dim() const override { return d_; }
  VecX initial_point(std::uint64_t seed) const override {
    Rng rng(seed);
    VecX x(d_);
    for (Index i = 0; i < d_; ++i) x[i] = 5.12 * (2 * rng.uniform() - 1);
    return x;
  }
  double loss_grad(VecIn x, VecOut g) const override {
    constexpr double tau = 2 * std::numbers::pi;
    const auto a = x.array();
    g = (2 * a + 10 * tau * (tau * a).sin()).matrix();
    return 10 * double(d_) + (a * a - 10 * (tau * a).cos()).sum();
  }
  std::optional<double> optimum() const override { return 0.0; }
  bool has_hessian() const override { return true; }
  void hessian(VecIn x, Eigen::Ref<MatX> h) const override {
    constexpr double tau = 2 * std::numbers::pi;
    h.setZero();
    h.diagonal() = (2 + 10 * tau * tau * (tau * x.array()).cos()).matrix();
  }

 private:
  Index d_;
};

}  // namespace descent
