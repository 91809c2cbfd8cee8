// Nonlinear conjugate gradients, Polak–Ribière+ (Nocedal & Wright, Numerical Optimization,
// 2nd ed., Algorithm 5.4 with (5.44)–(5.45)), in double precision, with the strong Wolfe line
// search of line_search.hpp (c1 = 1e-4, c2 = 0.1):
//
//   p_0 = −∇f_0
//   x_{k+1} = x_k + α_k p_k
//   β_{k+1} = max(0, ∇f_{k+1}ᵀ(∇f_{k+1} − ∇f_k) / ‖∇f_k‖²)           (PR+)
//   p_{k+1} = −∇f_{k+1} + β_{k+1} p_k
//
// Restarts (p = −∇f): every `restart` steps (0: every n, the dimension), and whenever p_{k+1}
// is not a descent direction, ∇f_{k+1}ᵀp_{k+1} ≥ 0. Trial step (3.61), as SciPy's CG:
// α = min(1, 1.01 · 2 (f_k − f_{k−1}) / ∇f_kᵀp_k), and min(1, 1/‖∇f_0‖) at the first step; the
// schedule's factor scales it (1 for a constant schedule). When the line search finds no decrease
// along p_k ≠ −∇f_k, the step is retried from −∇f_k; when that fails too the iterate stays.
// Mini-batches: ∇f_k is the gradient of step k's batch, ∇f_{k+1} that of the next.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "lib/optimizer.hpp"
#include "lib/optimizers/line_search.hpp"
#include "lib/oracle.hpp"

namespace descent {

struct CgConfig {
  WolfeConditions wolfe;
  Index restart;
  static Fields<CgConfig> fields() {
    using C = CgConfig;
    return join<C>({member_keys(&C::wolfe, WolfeConditions::fields("0.1")),
                    {int_key(&C::restart, "restart", "0", "restart every this many steps (0: n)",
                             Range::nonnegative)}});
  }
  void check() const { wolfe.check("cg"); }
};

class Cg final : public Optimizer<double> {
 public:
  using Config = CgConfig;
  Cg(const Config& c, Index n)
      : c_(c), period_(c.restart > 0 ? c.restart : n), p_(n), g_prev_(n), xt_(n), gt_(n) {}

  static OptimizerInfo info() {
    return {.name = "cg",
            .summary = "nonlinear conjugate gradients, Polak–Ribière+ with restarts (double only)",
            .equations =
                "β_{k+1} = max(0, ∇f_{k+1}ᵀ(∇f_{k+1} − ∇f_k)/‖∇f_k‖²) (PR+), p_{k+1} = "
                "−∇f_{k+1} + β_{k+1}p_k; restart p = −∇f every `restart` steps (0: n) "
                "and when ∇fᵀp ≥ 0; α_k strong Wolfe, trial α = min(1, 1.01 · 2(f_k − "
                "f_{k−1})/∇f_kᵀp_k) (N&W 3.61)",
            .reference =
                "Nocedal & Wright 2006, Algorithm 5.4, (5.44)–(5.45); Polak & Ribière "
                "1969; Gilbert & Nocedal 1992"};
  }

  bool uses_oracle() const override { return true; }
  void set_oracle(Oracle* oracle) override { oracle_ = oracle; }
  void reset() override {
    since_restart_ = 0;
    has_prev_ = false;
  }

  void step(VecRef<double> x, CVecRef<double> g, double lr_scale) override {
    if (!oracle_) throw std::logic_error("cg: step() before set_oracle()");
    const double f0 = oracle_->current_loss();
    if (since_restart_ > 0 && since_restart_ < period_) {
      const double beta = std::max(0.0, g.dot(g - g_prev_) / g_prev_.squaredNorm());
      p_ = beta * p_ - g;
    } else {
      since_restart_ = 0;
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
      double d0 = since_restart_ > 0 ? g.dot(p_) : 0;
      if (!(d0 < 0)) {  // restart: steepest descent
        since_restart_ = 0;
        p_ = -g;
        d0 = -g.squaredNorm();
        if (!(d0 < 0)) return;  // g = 0 (or not finite)
      }
      // (3.61): the step to the minimizer of the quadratic through f_{k−1}, f_k, ∇f_kᵀp_k.
      const double alpha1 = lr_scale * (has_prev_ ? std::min(1.0, 1.01 * 2 * (f0 - f_prev_) / d0)
                                                  : std::min(1.0, 1 / g.norm()));
      const LineSearchResult ls =
          strong_wolfe(along(*oracle_, x, p_, xt_, gt_), f0, d0, alpha1, c_.wolfe);
      if (ls.alpha == 0) {
        if (since_restart_ == 0) return;
        since_restart_ = 0;
        continue;
      }
      f_prev_ = f0;
      has_prev_ = true;
      g_prev_ = g;
      ++since_restart_;
      x = xt_;
      return;
    }
  }

 private:
  Config c_;
  Index period_;
  Oracle* oracle_ = nullptr;
  VecX p_, g_prev_, xt_, gt_;
  Index since_restart_ = 0;  // steps since p was last −∇f; 0: restart now
  double f_prev_ = 0;        // f_{k−1}
  bool has_prev_ = false;
};

}  // namespace descent
