// Schedule-free AdamW (Defazio et al. 2024, "The Road Less Scheduled"; the AlgoPerf 2024
// self-tuning winner), as facebookresearch/schedule_free has it (adamw_schedulefree_reference.py
// at 70785b53, decay_at_z=False, inner_momentum=0): schedule-free SGD (sfsgd.hpp) whose step is
// divided by Adam's bias-corrected root second moment. Judged at x (eval_loss).
//
//   γ_t, c_t as sfsgd's;  v_t = β2 v_{t−1} + (1 − β2) g_t²,  g_t = g(y_{t−1})
//   z_t = z_{t−1} − γ_t λ y_{t−1} − γ_t g_t / (√(v_t / (1 − β2^t)) + ε)
//   x_t = (1 − c_t) x_{t−1} + c_t z_t,   y_t = β1 x_t + (1 − β1) z_t
//
// There is no first moment: β1 is the interpolation of y. The reference's `lr = max(lr, eps)`
// is dead code (overwritten before use). λ is decoupled and taken at y. 8 words per parameter
// (9 with λ > 0, which reads y): reads g, z, x, v; writes z, x, y, v.
#pragma once

#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"
#include "lib/optimizers/sfsgd.hpp"  // ScheduleFree

namespace descent {

struct SfadamwConfig {
  double lr, beta1, beta2, eps, weight_decay;
  ScheduleFree sf;
  static Fields<SfadamwConfig> fields() {
    using C = SfadamwConfig;
    return join<C>(
        {{real_key(&C::lr, "lr", "0.0025", "step size η", Range::positive),
          real_key(&C::beta1, "beta1", "0.9", "β1: y = β1 x + (1 − β1) z", Range::unit_open),
          real_key(&C::beta2, "beta2", "0.999", "second-moment decay β2", Range::unit_open),
          real_key(&C::eps, "eps", "1e-8", "ε, added after the root", Range::positive),
          real_key(&C::weight_decay, "weight_decay", "0", "decoupled decay λ, at y",
                   Range::nonnegative)},
         ScheduleFree::keys<C>(&C::sf)});
  }
};

template <class T>
class Sfadamw {
 public:
  using Config = SfadamwConfig;
  Sfadamw(const Config& c, Eigen::Index n) : c_(c), z_(n), x_(n), v_(Vec<T>::Zero(n)) {}

  static OptimizerInfo info() {
    return {.name = "sfadamw",
            .summary = "schedule-free AdamW: gradients at y, judged at the average x (reference)",
            .equations =
                "v_t = β2 v_{t−1} + (1 − β2) g_t²; z_t = z_{t−1} − γ_t λ y_{t−1} − γ_t g_t / "
                "(√(v_t / (1 − β2^t)) + ε)\n"
                "x_t = (1 − c_t) x_{t−1} + c_t z_t; y_t = β1 x_t + (1 − β1) z_t (γ_t, c_t as "
                "sfsgd)",
            .reference = "Defazio et al. 2024; facebookresearch/schedule_free",
            .differences =
                "The reference's `lr = max(lr, eps)` is dead code (overwritten before use); decay "
                "is taken at y (decay_at_z=False); there is no first moment (inner_momentum=0): β1 "
                "only interpolates y.",
            .own_weight_decay = true,
            .eval_point = "x, the weighted average of the sequence z",
            .words_per_param = 8};  // reads g, z, x, v; writes z, x, y, v
  }

  void step(VecRef<T> y, CVecRef<T> g, T lr_scale) {
    if (avg_.k == 0) z_ = x_ = y;
    const auto [gamma, c] = avg_.next(c_.sf, c_.lr * double(lr_scale));
    const double bc2 = 1 - std::pow(c_.beta2, double(avg_.k));
    const Coefficients k{
        T(gamma), T(c), T(c_.beta1), T(c_.beta2), T(bc2), T(c_.eps), T(gamma * c_.weight_decay)};
    if (c_.weight_decay > 0)
      fused<true>(k, y.size(), y.data(), g.data(), z_.data(), x_.data(), v_.data());
    else
      fused<false>(k, y.size(), y.data(), g.data(), z_.data(), x_.data(), v_.data());
  }

  void eval_point(CVecRef<T> y, VecRef<T> out) const {
    if (avg_.k == 0)
      out = y;
    else
      out = x_;
  }

  void reset() {
    v_.setZero();
    avg_ = {};
  }

 private:
  struct Coefficients {
    T gamma, c, b1, b2, bc2, eps, decay;
  };
  template <bool kDecay>
  static void fused(const Coefficients& k, Eigen::Index n, T* __restrict y, const T* __restrict g,
                    T* __restrict z, T* __restrict x, T* __restrict v) {
    for (Eigen::Index i = 0; i < n; ++i) {
      T zi = z[i];
      if constexpr (kDecay) zi -= k.decay * y[i];
      v[i] = k.b2 * v[i] + (1 - k.b2) * g[i] * g[i];
      zi -= k.gamma * (g[i] / (std::sqrt(v[i] / k.bc2) + k.eps));
      z[i] = zi;
      x[i] = x[i] * (1 - k.c) + k.c * zi;
      y[i] = x[i] * k.b1 + (1 - k.b1) * zi;
    }
  }

  Config c_;
  Vec<T> z_, x_, v_;
  ScheduleFree::Averaging avg_;
};

}  // namespace descent
