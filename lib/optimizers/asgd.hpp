// ASGD, averaged stochastic gradient descent (Polyak & Juditsky 1992; Bottou 2012's step
// schedule), in torch 1.13's form (torch.optim.ASGD): SGD with a decaying step whose iterates
// are averaged from step t0 on. The average ā is where the run is judged (eval_loss).
//
//   θ_t = (1 − λ η_t) θ_{t−1} − η_t g_t
//   ā_t = θ_t if μ_t = 1, else ā_{t−1} + μ_t (θ_t − ā_{t−1})
//   η_{t+1} = lr / (1 + λ lr t)^α,   μ_{t+1} = 1 / max(1, t − t0),   η_1 = lr, μ_1 = 1
//
// torch keeps η and μ one step behind (computed at the end of step t for step t + 1), so a
// schedule's factor at step t enters η_{t+1}, and η_1 is the first step's rate. torch never uses
// ā itself; here it is the evaluation point. With the default t0 = 10⁶ no averaging happens in
// a short run and ā is the iterate. 5 words per parameter: reads x, g, ā; writes x, ā.
#pragma once

#include <algorithm>
#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

struct AsgdConfig {
  double lr, lambd, alpha, t0;
  static Fields<AsgdConfig> fields() {
    using C = AsgdConfig;
    return {
        real_key(&C::lr, "lr", "1e-2", "step size lr", Range::positive),
        real_key(&C::lambd, "lambd", "1e-4", "decay λ of the step (and of θ)", Range::nonnegative),
        real_key(&C::alpha, "alpha", "0.75", "power α of the step's decay", Range::nonnegative),
        real_key(&C::t0, "t0", "1e6", "the step from which the iterates are averaged",
                 Range::nonnegative)};
  }
};

template <class T>
class Asgd {
 public:
  using Config = AsgdConfig;
  Asgd(const Config& c, Eigen::Index n) : c_(c), avg_(Vec<T>::Zero(n)) {}

  static OptimizerInfo info() {
    return {.name = "asgd",
            .summary = "averaged SGD with a decaying step (torch); judged at the average",
            .equations =
                "θ_t = (1 − λ η_t) θ_{t−1} − η_t g_t; ā_t = ā_{t−1} + μ_t (θ_t − ā_{t−1}) "
                "(= θ_t while μ_t = 1)\n"
                "η_{t+1} = lr / (1 + λ lr t)^α, μ_{t+1} = 1 / max(1, t − t0)",
            .reference = "Polyak & Juditsky 1992; torch.optim.ASGD (1.13)",
            .differences =
                "torch computes η and μ at the end of a step for the next one and never uses ā "
                "itself; here ā is the evaluation point. With the default t0 = 10⁶ nothing is "
                "averaged in a short run.",
            .own_weight_decay = false,
            .eval_point = "ā, the average of the iterates from step t0 on",
            .words_per_param = 5};  // reads x, g, ā; writes x, ā
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    ++t_;
    if (t_ == 1) eta_ = c_.lr * double(lr_scale);
    const T eta = T(eta_), keep = T(1 - c_.lambd * eta_), mu = T(mu_);
    fused(keep, eta, mu, x.size(), x.data(), g.data(), avg_.data());
    const double lr = c_.lr * double(lr_scale);
    eta_ = lr / std::pow(1 + c_.lambd * lr * double(t_), c_.alpha);
    mu_ = 1 / std::max(1.0, double(t_) - c_.t0);
  }

  void eval_point(CVecRef<T> x, VecRef<T> out) const {
    if (t_ == 0)
      out = x;
    else
      out = avg_;
  }

  void reset() {
    avg_.setZero();
    t_ = 0;
    mu_ = 1;
  }

 private:
  static void fused(T keep, T eta, T mu, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict avg) {
    for (Eigen::Index i = 0; i < n; ++i) {
      x[i] = x[i] * keep - eta * g[i];
      avg[i] = mu == T(1) ? x[i] : avg[i] + (x[i] - avg[i]) * mu;
    }
  }

  Config c_;
  Vec<T> avg_;
  long t_ = 0;
  double eta_ = 0, mu_ = 1;
};

}  // namespace descent
