// Newton's method with a modified Hessian and a backtracking line search (Nocedal & Wright,
// Numerical Optimization, 2nd ed., Algorithms 3.1 and 3.2 and §3.4), in double precision:
//
//   B_k = ∇²f_k + δ I  (δ = `damping`), modified to be positive definite:
//     modify=tau   Algorithm 3.3, Cholesky with added multiple of the identity: β = 1e-3,
//                  τ_0 = 0 if min_i b_ii > 0 else −min_i b_ii + β; factor B_k + τ_j I = LLᵀ,
//                  and on failure τ_{j+1} = max(2 τ_j, β)
//     modify=abs   (3.41) B_k = Q |Λ| Qᵀ with every |λ_i| raised to at least
//                  ε_λ = 1e-8 · max(1, max_i |λ_i|) (eigen-decomposition)
//     modify=none  B_k itself, factored by LDLᵀ (pure Newton: may step to a saddle)
//   p_k = −B_k⁻¹ ∇f_k
//   x_{k+1} = x_k + α_k p_k, Algorithm 3.1 (backtracking Armijo): α = 1, halved until
//   f(x_k + α p_k) ≤ f(x_k) + c1 α ∇f_kᵀp_k + 4 u |f(x_k)| (c1 = 1e-4; u = 2⁻⁵² allows for
//   the rounding of f, so that the quadratically convergent last steps, whose decrease is
//   below it, are taken), at most `max_evals` evaluations; when none passes, the iterate stays.
// With modify=none p_k need not be a descent direction; then (and with line_search=0 always)
// the full step α = 1 is taken without a search. The schedule's factor scales the first trial
// α (and the full step). The Hessian is the full objective's, also for mini-batch runs; each
// step costs one Hessian evaluation (hess_evals) and the line search's gradient evaluations.
// Problems without a Hessian are a usage error.
#pragma once

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"
#include "lib/oracle.hpp"

namespace descent {

struct NewtonConfig {
  enum class Modify { tau, abs, none };
  double damping, c1;
  Modify modify;
  int max_evals;
  bool line_search;
  static Fields<NewtonConfig> fields() {
    using C = NewtonConfig;
    return {real_key(&C::damping, "damping", "0", "δ added to the Hessian's diagonal",
                     Range::nonnegative),
            choice_key(&C::modify, "modify", "tau", "make B_k positive definite: tau|abs|none",
                       {{"tau", Modify::tau}, {"abs", Modify::abs}, {"none", Modify::none}}),
            real_key(&C::c1, "c1", "1e-4", "sufficient-decrease constant c1", Range::positive),
            int_key(&C::max_evals, "max_evals", "30", "evaluations per line search",
                    Range::at_least_one),
            flag_key(&C::line_search, "line_search", "1", "0: always the full step α = 1")};
  }
};

class Newton final : public Optimizer<double> {
 public:
  using Config = NewtonConfig;
  using Modify = Config::Modify;
  Newton(const Config& c, Index n)
      : c_(c),
        h_(n, n),
        a_(n, n),
        p_(n),
        w_(n),
        xt_(n),
        gt_(n),
        llt_(n),
        ldlt_(n),
        eig_(c.modify == Modify::abs ? n : 0) {}

  static OptimizerInfo info() {
    return {.name = "newton",
            .summary = "Newton: modified Hessian, backtracking Armijo search (double only)",
            .equations =
                "B_k = ∇²f_k + δ I made positive definite — `tau`: + τ I until Cholesky "
                "succeeds (N&W Alg. 3.3, β = 1e-3, τ doubling); `abs`: eigenvalues "
                "replaced by max(|λ_i|, 1e-8 max(1, max|λ|)); `none`: B_k itself by "
                "LDLᵀ — p_k = −B_k⁻¹∇f_k, x_{k+1} = x_k + α p_k with α = 1, ½, ¼, … "
                "until f(x_k + α p_k) ≤ f_k + c1 α ∇f_kᵀp_k (backtracking Armijo)",
            .reference = "Nocedal & Wright 2006, Algorithms 3.1, 3.2, 3.3 and §3.4"};
  }

  bool uses_oracle() const override { return true; }
  void set_oracle(Oracle* oracle) override {
    if (oracle && !oracle->has_hessian())
      throw UsageError("optimizer 'newton' needs the problem's Hessian, and this problem has none");
    oracle_ = oracle;
  }
  void reset() override {}

  void step(VecRef<double> x, CVecRef<double> g, double lr_scale) override {
    if (!oracle_) throw std::logic_error("newton: step() before set_oracle()");
    oracle_->hessian(x, h_);
    h_.diagonal().array() += c_.damping;
    direction(g);
    const double d0 = g.dot(p_);
    if (!p_.allFinite()) return;
    if (!c_.line_search || !(d0 < 0)) {
      if (c_.modify == Modify::none || !c_.line_search) x += lr_scale * p_;
      return;
    }
    const double f0 = oracle_->current_loss();
    const double slack = 4 * std::numeric_limits<double>::epsilon() * std::abs(f0);
    double alpha = lr_scale;
    for (int e = 0; e < c_.max_evals; ++e, alpha *= 0.5) {
      xt_ = x + alpha * p_;
      if (oracle_->loss_grad(xt_, gt_) <= f0 + c_.c1 * alpha * d0 + slack) {
        x = xt_;
        return;
      }
    }
  }

 private:
  // p_ = −B_k⁻¹ g with B_k modified as `modify` says.
  void direction(CVecRef<double> g) {
    switch (c_.modify) {
      case Modify::tau: {
        const double beta = 1e-3, dmin = h_.diagonal().minCoeff();
        double tau = dmin > 0 ? 0 : beta - dmin;
        for (;;) {
          a_ = h_;
          a_.diagonal().array() += tau;
          llt_.compute(a_);
          if (llt_.info() == Eigen::Success || !std::isfinite(tau)) break;
          tau = std::max(2 * tau, beta);
        }
        p_ = llt_.solve(g);
        break;
      }
      case Modify::abs: {
        eig_.compute(h_);
        const auto& lambda = eig_.eigenvalues();
        const double floor = 1e-8 * std::max(1.0, lambda.cwiseAbs().maxCoeff());
        w_.noalias() = eig_.eigenvectors().transpose() * g;
        w_.array() /= lambda.array().abs().max(floor);
        p_.noalias() = eig_.eigenvectors() * w_;
        break;
      }
      case Modify::none:
        ldlt_.compute(h_);
        p_ = ldlt_.solve(g);
        break;
    }
    p_ = -p_;
  }

  Config c_;
  Oracle* oracle_ = nullptr;
  MatX h_, a_;
  VecX p_, w_, xt_, gt_;
  Eigen::LLT<MatX> llt_;
  Eigen::LDLT<MatX> ldlt_;
  Eigen::SelfAdjointEigenSolver<MatX> eig_;
};

}  // namespace descent
