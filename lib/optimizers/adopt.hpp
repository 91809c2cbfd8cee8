// ADOPT (Taniguchi et al. 2024, iShohei220/adopt at 6468572b): Adam with the second moment of
// the previous step, so that the normalization does not depend on the current gradient, and the
// momentum taken after normalizing. With the clip c_t = (t − 1)^{1/4} (the reference's default):
//
//   t = 1:   v_1 = g_1²; θ unchanged
//   t ≥ 2:   n_t = clamp(g_t / max(√v_{t−1}, ε), −c_t, c_t)
//            m_t = lerp(m_{t−1}, n_t, 1 − β1)
//            θ_t = θ_{t−1} − η_t m_t          (decouple=1 first: θ ← θ − η_t λ θ)
//            v_t = β2 v_{t−1} + (1 − β2) g_t²
//
// weight_decay is the reference's: coupled (g ← g + λ θ, also at t = 1) unless decouple=1.
// How the reference differs from the paper and other implementations: info().differences. One fused
// pass: 7 words.
#pragma once

#include <algorithm>
#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"
#include "lib/optimizers/blocks.hpp"  // lerp

namespace descent {

struct AdoptConfig {
  double lr, beta1, beta2, eps, weight_decay;
  bool decouple;
  static Fields<AdoptConfig> fields() {
    using C = AdoptConfig;
    return {real_key(&C::lr, "lr", "1e-3", "step size η", Range::positive),
            real_key(&C::beta1, "beta1", "0.9", "momentum decay β1", Range::unit_open),
            real_key(&C::beta2, "beta2", "0.9999", "second-moment decay β2", Range::unit_open),
            real_key(&C::eps, "eps", "1e-6", "ε, the least √v divided by", Range::positive),
            real_key(&C::weight_decay, "weight_decay", "0", "decay λ (coupled unless decouple=1)",
                     Range::nonnegative),
            flag_key(&C::decouple, "decouple", "0", "1: θ ← θ − η λ θ instead of g ← g + λ θ")};
  }
};

template <class T>
class Adopt {
 public:
  using Config = AdoptConfig;
  Adopt(const Config& c, Eigen::Index n) : c_(c), m_(Vec<T>::Zero(n)), v_(Vec<T>::Zero(n)) {}

  static OptimizerInfo info() {
    return {.name = "adopt",
            .summary = "ADOPT: normalize by the previous second moment, then take momentum",
            .equations =
                "t = 1: v_1 = g_1² (no step)\n"
                "n_t = clamp(g_t / max(√v_{t−1}, ε), ±(t − 1)^{1/4}); "
                "m_t = lerp(m_{t−1}, n_t, 1 − β1); θ_t = θ_{t−1} − η m_t; "
                "v_t = β2 v_{t−1} + (1 − β2) g_t²",
            .reference = "Taniguchi et al. 2024; iShohei220/adopt",
            .differences =
                "The first step only initializes v (θ does not move), unlike Adam; ε is a floor on "
                "√v, not added to it; v is updated after it is used. Coupled decay applies at t = "
                "1 too. optax's `adopt` has the same update.",
            .own_weight_decay = true,
            .words_per_param = 7};  // reads x, g, m, v; writes x, m, v
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    const T lr = T(c_.lr) * lr_scale;
    const Coefficients k{T(c_.beta1),
                         T(c_.beta2),
                         T(c_.eps),
                         lr,
                         T(std::pow(double(t_), 0.25)),
                         T(c_.decouple ? 0 : c_.weight_decay),
                         T(c_.decouple ? lr * T(c_.weight_decay) : T(0))};
    if (t_++ == 0)
      first(k, x.size(), x.data(), g.data(), v_.data());
    else
      fused(k, x.size(), x.data(), g.data(), m_.data(), v_.data());
  }

  void reset() {
    m_.setZero();
    v_.setZero();
    t_ = 0;
  }

 private:
  struct Coefficients {
    T b1, b2, eps, lr, clip, coupled, decoupled;  // decoupled: η λ
  };
  static void first(const Coefficients& k, Eigen::Index n, const T* __restrict x,
                    const T* __restrict g, T* __restrict v) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const T gi = g[i] + k.coupled * x[i];
      v[i] += gi * gi;
    }
  }
  static void fused(const Coefficients& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict m, T* __restrict v) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const T gi = g[i] + k.coupled * x[i];
      x[i] += x[i] * -k.decoupled;
      const T normed = std::clamp(gi / std::max(std::sqrt(v[i]), k.eps), -k.clip, k.clip);
      m[i] = lerp(m[i], normed, T(1) - k.b1);
      x[i] += m[i] * -k.lr;
      v[i] = v[i] * k.b2 + (T(1) - k.b2) * gi * gi;
    }
  }

  Config c_;
  Vec<T> m_, v_;
  long t_ = 0;
};

}  // namespace descent
