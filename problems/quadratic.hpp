// Convex quadratic of chosen conditioning.
//
//   f(x) = ½ Σ_i λ_i (Qx)_i²,   λ_i = κ^(i/(d−1)), i = 0..d−1,   f* = 0 at x* = 0
//
// Q = I (axis-aligned, the default) or, with rotate=1, a random orthogonal matrix drawn from
// the instance seed, so that the valley is not aligned with the coordinates (which favours
// diagonal methods such as AdaGrad or Adam). Start point: (1, ..., 1).
#pragma once

#include <cmath>

#include "lib/limits.hpp"
#include "lib/problem.hpp"
#include "problems/linalg.hpp"

namespace descent {

class Quadratic final : public Problem {
 public:
  static ProblemInfo info() {
    return {"quadratic",
            "convex quadratic with eigenvalues spread over [1, cond]",
            "½ Σ λ_i (Qx)_i², λ_i = cond^(i/(d−1)); Q = I, or random orthogonal "
            "from the seed with `rotate=1`\nstart: (1, …, 1)\nf*: 0 at 0",
            {size_key("dim", "2", "dimension d", limits::parameters, "parameters"),
             real_key("cond", "10", "condition number κ", Range::at_least_one),
             flag_key("rotate", "0", "random orthogonal basis from the seed")}};
  }

  Quadratic(const Params& p, std::uint64_t seed)
      : d_(p.integer("dim")), lambda_(d_), rotated_(p.flag("rotate")) {
    const double cond = p.real("cond");
    for (Index i = 0; i < d_; ++i)
      lambda_[i] = d_ == 1 ? 1.0 : std::pow(cond, double(i) / double(d_ - 1));
    if (!rotated_) return;
    check_size(double(d_) * double(d_), limits::dense_entries, "dense_entries",
               fmt::format("problem spec '{}': the rotation's d² entries", p.canonical()));
    Rng rng(seed);
    const MatX q = random_orthogonal(d_, rng);
    a_ = q.transpose() * lambda_.asDiagonal() * q;  // A = Qᵀ Λ Q with Q := qᵀ
  }

  Index dim() const override { return d_; }
  VecX initial_point(std::uint64_t) const override { return VecX::Ones(d_); }
  double loss_grad(VecIn x, VecOut g) const override {
    if (rotated_)
      g.noalias() = a_ * x;
    else
      g = lambda_.cwiseProduct(x);
    return 0.5 * x.dot(g);
  }
  std::optional<double> optimum() const override { return 0.0; }
  bool has_hessian() const override { return true; }
  void hessian(VecIn, Eigen::Ref<MatX> h) const override {
    if (rotated_)
      h = a_;
    else
      h = lambda_.asDiagonal();
  }

 private:
  Index d_;
  VecX lambda_;
  bool rotated_;
  MatX a_;
};

}  // namespace descent
