// Rprop (Riedmiller & Braun 1993), in torch 1.13's form (torch.optim.Rprop): each coordinate
// keeps its own step Δ, grown while the gradient keeps its sign and shrunk when it flips; only
// the sign of the gradient moves x.
//
//   s = sign(g_t · g_{t−1})
//   Δ_t = clamp(Δ_{t−1} · (η+ if s > 0, η− if s < 0, 1 if s = 0), Δ_min, Δ_max),   Δ_0 = lr
//   g_t ← 0 where s < 0          (after a flip: no move, and no flip test at the next step)
//   θ_t = θ_{t−1} − sign(g_t) Δ_t;   g_{t−1} ← g_t
//
// `lr` is read once, as every Δ's start (the value at the first step, a schedule's factor
// included). Differences from the paper and other implementations: info().differences. 7 words
// per parameter:
// reads x, g, Δ, the previous g; writes x, Δ, the previous g.
#pragma once

#include <fmt/format.h>

#include <algorithm>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

struct RpropConfig {
  double lr, eta_minus, eta_plus, step_min, step_max;
  static Fields<RpropConfig> fields() {
    using C = RpropConfig;
    return {real_key(&C::lr, "lr", "1e-2", "initial step Δ_0 of every coordinate", Range::positive),
            real_key(&C::eta_minus, "eta_minus", "0.5", "η−, shrink factor after a sign flip (< 1)",
                     Range::positive),
            real_key(&C::eta_plus, "eta_plus", "1.2",
                     "η+, growth factor while the sign holds (> 1)", Range::positive),
            real_key(&C::step_min, "step_min", "1e-6", "Δ_min", Range::nonnegative),
            real_key(&C::step_max, "step_max", "50", "Δ_max", Range::positive)};
  }
  void check() const {
    if (!(eta_minus < 1))
      throw UsageError(
          fmt::format("optimizer 'rprop': key 'eta_minus' must be < 1 (got {})", eta_minus));
    if (!(eta_plus > 1))
      throw UsageError(
          fmt::format("optimizer 'rprop': key 'eta_plus' must be > 1 (got {})", eta_plus));
    if (step_min > step_max)
      throw UsageError(
          fmt::format("optimizer 'rprop': key 'step_min' must not exceed step_max (got {} > {})",
                      step_min, step_max));
  }
};

template <class T>
class Rprop {
 public:
  using Config = RpropConfig;
  Rprop(const Config& c, Eigen::Index n) : c_(c), step_(Vec<T>::Zero(n)), prev_(Vec<T>::Zero(n)) {}

  static OptimizerInfo info() {
    return {
        .name = "rprop",
        .summary = "Rprop: per-coordinate steps grown and shrunk by the gradient's sign (torch)",
        .equations =
            "s = sign(g_t g_{t−1}); Δ_t = clamp(Δ_{t−1} · (η+ | η− | 1 for s > 0 | < 0 | = 0), "
            "Δ_min, Δ_max), Δ_0 = lr\n"
            "g_t ← 0 where s < 0; θ_t = θ_{t−1} − sign(g_t) Δ_t",
        .reference = "Riedmiller & Braun 1993; torch.optim.Rprop (1.13)",
        .differences =
            "This is Rprop without weight backtracking (Rprop−), torch's form; `lr` only sets the "
            "initial Δ, so a schedule acts on the first step alone. optax's `scale_by_rprop` is "
            "one step stale against torch's.",
        .own_weight_decay = false,
        .words_per_param = 7};  // reads x, g, Δ, g_{t−1}; writes x, Δ, g_{t−1}
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    if (!started_) step_.setConstant(T(c_.lr) * lr_scale);
    started_ = true;
    const Coefficients k{T(c_.eta_minus), T(c_.eta_plus), T(c_.step_min), T(c_.step_max)};
    fused(k, x.size(), x.data(), g.data(), step_.data(), prev_.data());
  }

  void reset() {
    prev_.setZero();
    started_ = false;
  }

 private:
  struct Coefficients {
    T minus, plus, lo, hi;
  };
  static void fused(const Coefficients& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict step, T* __restrict prev) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const T p = g[i] * prev[i];
      const T factor = p > 0 ? k.plus : (p < 0 ? k.minus : T(1));
      step[i] = std::clamp(step[i] * factor, k.lo, k.hi);
      const T gi = p < 0 ? T(0) : g[i];
      x[i] -= (T(gi > 0) - T(gi < 0)) * step[i];
      prev[i] = gi;
    }
  }

  Config c_;
  Vec<T> step_, prev_;
  bool started_ = false;
};

}  // namespace descent
