// L-BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithms 7.4 and 7.5), in double
// precision, with the strong Wolfe line search of line_search.hpp (c1 = 1e-4, c2 = 0.9):
//
//   p_k = −H_k ∇f_k by the two-loop recursion over the m newest pairs
//         s_i = x_{i+1} − x_i,  y_i = ∇f_{i+1} − ∇f_i,  ρ_i = 1 / y_iᵀs_i:
//     q ← ∇f_k;  for i = k−1, ..., k−m:  α_i ← ρ_i s_iᵀq;  q ← q − α_i y_i
//     r ← H_k^0 q,  H_k^0 = γ_k I,  γ_k = s_{k−1}ᵀy_{k−1} / y_{k−1}ᵀy_{k−1}   (7.20)
//     for i = k−m, ..., k−1:  β ← ρ_i y_iᵀr;  r ← r + s_i (α_i − β)
//     p_k = −r
//   x_{k+1} = x_k + α_k p_k,  α_k from the line search with trial α = 1
//
// The pair (s_k, y_k) is stored only when s_kᵀy_k > ε ‖s_k‖ ‖y_k‖ (ε = `curvature_eps`), which
// keeps H_k positive definite; otherwise it is skipped. Without pairs (first step, after a reset)
// p_k = −∇f_k and the trial step is min(1, 1/‖∇f_k‖) (the first step of SciPy's L-BFGS-B).
// When p_k is not a descent direction or its line search finds no decrease, the history is
// dropped and the step is retried from −∇f_k; when that fails too the iterate stays.
// The schedule's factor scales the trial step α of the line search (1 for a constant schedule).
// Mini-batches: every evaluation of a step, and so s_k and y_k, use that step's batch.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "lib/optimizer.hpp"
#include "lib/optimizers/line_search.hpp"
#include "lib/oracle.hpp"

namespace descent {

struct LbfgsConfig {
  Index history;
  WolfeConditions wolfe;
  double curvature_eps;
  static Fields<LbfgsConfig> fields() {
    using C = LbfgsConfig;
    return join<C>({{int_key(&C::history, "history", "10", "pairs m kept", Range::at_least_one)},
                    member_keys(&C::wolfe, WolfeConditions::fields("0.9")),
                    {real_key(&C::curvature_eps, "curvature_eps", "1e-10",
                              "skip the pair when sᵀy ≤ ε ‖s‖ ‖y‖", Range::nonnegative)}});
  }
  void check() const { wolfe.check("lbfgs"); }
};

class Lbfgs final : public Optimizer<double> {
 public:
  using Config = LbfgsConfig;
  Lbfgs(const Config& c, Index n)
      : c_(c),
        s_(n, c.history),
        y_(n, c.history),
        rho_(c.history),
        alpha_(c.history),
        p_(n),
        xt_(n),
        gt_(n) {}

  static OptimizerInfo info() {
    return {
        .name = "lbfgs",
        .summary = "L-BFGS: two-loop recursion, strong Wolfe line search (double only)",
        .equations =
            "p_k = −H_k∇f_k by the two-loop recursion over the m newest pairs s_i = "
            "x_{i+1} − x_i, y_i = ∇f_{i+1} − ∇f_i, H_k^0 = γ_k I, γ_k = "
            "s_{k−1}ᵀy_{k−1}/y_{k−1}ᵀy_{k−1}; α_k strong Wolfe, trial α = 1 (min(1, "
            "1/‖∇f‖) without pairs); a pair with sᵀy ≤ ε‖s‖‖y‖ is skipped",
        .reference = "Nocedal & Wright 2006, Algorithms 7.4, 7.5, 3.5, 3.6; Liu & Nocedal 1989"};
  }

  bool uses_oracle() const override { return true; }
  void set_oracle(Oracle* oracle) override { oracle_ = oracle; }

  void reset() override {
    count_ = next_ = 0;
    gamma_ = 1;
  }

  void step(VecRef<double> x, CVecRef<double> g, double lr_scale) override {
    if (!oracle_) throw std::logic_error("lbfgs: step() before set_oracle()");
    const double f0 = oracle_->current_loss();
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool steepest = count_ == 0;
      direction(g);
      double d0 = g.dot(p_);
      if (!(d0 < 0) && !steepest) {  // not a descent direction: drop the history
        count_ = 0;
        continue;
      }
      if (!(d0 < 0)) return;  // g = 0 (or not finite): nothing to do
      const double alpha1 = lr_scale * (steepest ? std::min(1.0, 1 / g.norm()) : 1.0);
      const LineSearchResult ls =
          strong_wolfe(along(*oracle_, x, p_, xt_, gt_), f0, d0, alpha1, c_.wolfe);
      if (ls.alpha == 0) {
        if (steepest) return;
        count_ = 0;
        continue;
      }
      remember(ls.alpha, g);
      x = xt_;
      return;
    }
  }

 private:
  // p_ = −H_k g by the two-loop recursion (−g without pairs).
  void direction(CVecRef<double> g) {
    p_ = g;
    const Index m = c_.history;
    for (Index j = 0; j < count_; ++j) {  // newest to oldest
      const Index i = (next_ - 1 - j + m) % m;
      alpha_[i] = rho_[i] * s_.col(i).dot(p_);
      p_ -= alpha_[i] * y_.col(i);
    }
    if (count_ > 0) p_ *= gamma_;
    for (Index j = count_ - 1; j >= 0; --j) {  // oldest to newest
      const Index i = (next_ - 1 - j + m) % m;
      const double beta = rho_[i] * y_.col(i).dot(p_);
      p_ += (alpha_[i] - beta) * s_.col(i);
    }
    p_ = -p_;
  }

  // Stores s = α p and y = ∇f(x + s) − g unless the curvature s'y is too small.
  void remember(double alpha, CVecRef<double> g) {
    auto s = s_.col(next_);
    auto y = y_.col(next_);
    s = alpha * p_;
    y = gt_ - g;
    const double sy = s.dot(y), yy = y.squaredNorm();
    if (!(sy > c_.curvature_eps * s.norm() * std::sqrt(yy))) return;
    rho_[next_] = 1 / sy;
    gamma_ = sy / yy;
    next_ = (next_ + 1) % c_.history;
    count_ = std::min(count_ + 1, c_.history);
  }

  Config c_;
  Oracle* oracle_ = nullptr;
  MatX s_, y_;  // columns: the pairs, a ring buffer with the newest at next_ − 1
  VecX rho_, alpha_, p_, xt_, gt_;
  Index count_ = 0, next_ = 0;
  double gamma_ = 1;
};

}  // namespace descent
