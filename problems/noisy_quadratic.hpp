// The quadratic of problems/quadratic.hpp with Gaussian noise on the gradient the optimizer
// sees:
//
//   f(x) = ½ Σ_i λ_i (Qx)_i²,   g̃(x) = ∇f(x) + σ ξ,   ξ ~ N(0, I) from the run's noise stream
//
// loss_grad, the logged loss and gap are exact; only sample_loss_grad adds the noise, so the
// optimizer converges to a noise floor around x* = 0. Start point (1, ..., 1); f* = 0.
#pragma once

#include "problems/quadratic.hpp"

namespace descent {

class NoisyQuadratic final : public Problem {
 public:
  static ProblemInfo info() {
    ProblemInfo i = Quadratic::info();
    i.name = "noisy_quadratic";
    i.summary = "the quadratic with N(0, noise²) added to each gradient coordinate";
    i.definition =
        "the quadratic; the optimizer's gradient is ∇f + σξ, ξ ~ N(0, I) from "
        "the run's noise stream (loss, trace and gap exact)\nstart: (1, …, "
        "1)\nf*: 0 at 0";
    i.keys.push_back(
        real_key("noise", "0.1", "σ: gradient noise sd per coordinate", Range::nonnegative));
    return i;
  }

  NoisyQuadratic(const Params& p, std::uint64_t seed) : q_(p, seed), sigma_(p.real("noise")) {}

  Index dim() const override { return q_.dim(); }
  VecX initial_point(std::uint64_t seed) const override { return q_.initial_point(seed); }
  double loss_grad(VecIn x, VecOut g) const override { return q_.loss_grad(x, g); }
  bool stochastic() const override { return true; }
  double sample_loss_grad(VecIn x, std::span<const Index>, Rng& rng, VecOut g) const override {
    const double f = q_.loss_grad(x, g);
    for (Index i = 0; i < g.size(); ++i) g[i] += sigma_ * rng.normal();
    return f;
  }
  std::optional<double> optimum() const override { return 0.0; }
  bool has_hessian() const override { return true; }
  void hessian(VecIn x, Eigen::Ref<MatX> h) const override { q_.hessian(x, h); }

 private:
  Quadratic q_;
  double sigma_;
};

}  // namespace descent
