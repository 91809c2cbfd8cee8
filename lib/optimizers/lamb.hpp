// LAMB (You et al. 2020, "Large Batch Optimization for Deep Learning"), as cybertronai's
// pytorch-lamb has it (lamb.py at d3ab8dcc): Adam's direction, rescaled per parameter block
// (each layer's weight and bias, lib/problem.hpp Layout) so that its length is the block's.
//
//   m_t = β1 m_{t−1} + (1 − β1) g_t,   v_t = β2 v_{t−1} + (1 − β2) g_t²
//   r_t = m_t / (√v_t + ε) + λ θ_{t−1}                       (with bias_correction=1: m̂_t, v̂_t)
//   per block b:  φ = min(‖θ_b‖, 10),   τ_b = φ / ‖r_b‖   (1 when φ = 0 or ‖r_b‖ = 0)
//   θ_b ← θ_b − η_t τ_b r_b
//
// λ is decoupled, inside the trust ratio. Differences from the paper and other implementations:
// info().differences. Two passes, as τ needs the block's norms: 6 + 4 = 10 words per parameter.
#pragma once

#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"
#include "lib/optimizers/adam.hpp"  // moment_keys
#include "lib/optimizers/blocks.hpp"

namespace descent {

struct LambConfig {
  double lr, beta1, beta2, eps, weight_decay;
  bool bias_correction;
  static Fields<LambConfig> fields() {
    using C = LambConfig;
    return join<C>({{real_key(&C::lr, "lr", "1e-3", "step size η", Range::positive)},
                    moment_keys<C>("1e-6"),
                    {real_key(&C::weight_decay, "weight_decay", "0",
                              "decoupled decay λ, added to the direction inside the trust ratio",
                              Range::nonnegative),
                     flag_key(&C::bias_correction, "bias_correction", "0",
                              "1 bias-corrects m and v (as optax, which does not clip ‖θ‖)")}});
  }
};

template <class T>
class Lamb {
 public:
  using Config = LambConfig;
  Lamb(const Config& c, const Layout& layout)
      : c_(c),
        layout_(layout),
        m_(Vec<T>::Zero(layout_dim(layout))),
        v_(Vec<T>::Zero(layout_dim(layout))) {}

  static OptimizerInfo info() {
    return {.name = "lamb",
            .summary = "LAMB: Adam's direction scaled per block to the block's norm (reference)",
            .equations =
                "m_t = β1 m_{t−1} + (1 − β1) g_t; v_t = β2 v_{t−1} + (1 − β2) g_t²; "
                "r_t = m_t / (√v_t + ε) + λ θ_{t−1}\n"
                "per block: θ_b ← θ_b − η min(‖θ_b‖, 10) / ‖r_b‖ · r_b",
            .reference = "You et al. 2020; cybertronai/pytorch-lamb",
            .differences =
                "The reference drops the bias corrections (the paper's v3), clips ‖θ_b‖ at 10 and "
                "defaults ε to 1e-6 (its docstring says 1e-8). optax's `lamb` bias-corrects "
                "(bias_correction=1 here) and does not clip ‖θ‖.",
            .own_weight_decay = true,
            .blocks = BlockUse::any,
            .words_per_param = 10};  // x, g, m, v read, m, v written; then x, m, v read, x written
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    ++t_;
    Coefficients k{T(c_.beta1), T(c_.beta2), T(c_.eps), T(c_.weight_decay), T(1), T(1)};
    if (c_.bias_correction) {
      k.bc1 = T(1 - std::pow(c_.beta1, double(t_)));
      k.bc2 = T(1 - std::pow(c_.beta2, double(t_)));
    }
    const T lr = T(c_.lr) * lr_scale;
    for (const Block& b : layout_) {
      double xx = 0, rr = 0;  // in double, so that float's norms of long blocks stay exact enough
      for_each_run(b, [&](Index at, Index n) {
        moments(k, n, x.data() + at, g.data() + at, m_.data() + at, v_.data() + at, xx, rr);
      });
      const T phi = T(std::min(std::sqrt(xx), 10.0)), norm = T(std::sqrt(rr));
      const T ratio = phi == 0 || norm == 0 ? T(1) : phi / norm;
      for_each_run(b, [&](Index at, Index n) {
        move(k, lr * ratio, n, x.data() + at, m_.data() + at, v_.data() + at);
      });
    }
  }

  void reset() {
    m_.setZero();
    v_.setZero();
    t_ = 0;
  }

 private:
  struct Coefficients {
    T b1, b2, eps, wd, bc1, bc2;
    T direction(T m, T v, T x) const { return (m / bc1) / (std::sqrt(v / bc2) + eps) + wd * x; }
  };
  static void moments(const Coefficients& k, Index n, const T* __restrict x, const T* __restrict g,
                      T* __restrict m, T* __restrict v, double& xx, double& rr) {
    double sx = xx, sr = rr;  // in registers, not through the references
    for (Index i = 0; i < n; ++i) {
      m[i] = k.b1 * m[i] + (1 - k.b1) * g[i];
      v[i] = k.b2 * v[i] + (1 - k.b2) * g[i] * g[i];
      const T r = k.direction(m[i], v[i], x[i]);
      sx += double(x[i]) * double(x[i]);
      sr += double(r) * double(r);
    }
    xx = sx;
    rr = sr;
  }
  static void move(const Coefficients& k, T step, Index n, T* __restrict x, const T* __restrict m,
                   const T* __restrict v) {
    for (Index i = 0; i < n; ++i) x[i] -= step * k.direction(m[i], v[i], x[i]);
  }

  Config c_;
  Layout layout_;
  Vec<T> m_, v_;
  long t_ = 0;
};

}  // namespace descent
