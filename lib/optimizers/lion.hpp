// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", google/automl
// lion_pytorch.py at 6a54c874): the sign of an interpolated momentum, with decoupled decay.
//
//   θ_t = (1 − η_t λ) θ_{t−1} − η_t sign(β1 m_{t−1} + (1 − β1) g_t)     sign(0) = 0
//   m_t = β2 m_{t−1} + (1 − β2) g_t
//
// Every coordinate moves by ±η_t (or 0), so the useful rate is 3–10 × smaller than AdamW's and
// λ 3–10 × larger (the paper's advice). optax's `lion` is the same update; its default β2 = 0.99
// and the reference's agree. One fused pass: reads x, g, m; writes x, m (5 words per parameter).
#pragma once

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

struct LionConfig {
  double lr, beta1, beta2, weight_decay;
  static Fields<LionConfig> fields() {
    using C = LionConfig;
    return {real_key(&C::lr, "lr", "1e-4", "step size η", Range::positive),
            real_key(&C::beta1, "beta1", "0.9", "interpolation β1 of the update's sign",
                     Range::unit_open),
            real_key(&C::beta2, "beta2", "0.99", "momentum decay β2", Range::unit_open),
            real_key(&C::weight_decay, "weight_decay", "0", "decoupled decay λ: θ ← (1 − η λ) θ",
                     Range::nonnegative)};
  }
};

template <class T>
class Lion {
 public:
  using Config = LionConfig;
  Lion(const Config& c, Eigen::Index n) : c_(c), m_(Vec<T>::Zero(n)) {}

  static OptimizerInfo info() {
    return {.name = "lion",
            .summary = "Lion: the sign of an interpolated momentum, decoupled decay (reference)",
            .equations =
                "θ_t = (1 − η λ) θ_{t−1} − η sign(β1 m_{t−1} + (1 − β1) g_t)\n"
                "m_t = β2 m_{t−1} + (1 − β2) g_t",
            .reference = "Chen et al. 2023; google/automl lion_pytorch.py",
            .differences =
                "optax's `lion` is the same update with the same defaults. The paper advises a "
                "rate 3–10× smaller and λ 3–10× larger than AdamW's.",
            .own_weight_decay = true,
            .words_per_param = 5};  // reads x, g, m; writes x, m
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    const T lr = T(c_.lr) * lr_scale;
    const Coefficients k{T(c_.beta1), T(c_.beta2), lr, T(1) - lr * T(c_.weight_decay)};
    fused(k, x.size(), x.data(), g.data(), m_.data());
  }

  void reset() { m_.setZero(); }

 private:
  struct Coefficients {
    T b1, b2, lr, keep;
  };
  // Restrict-qualified parameters, not local pointers (see Adam's fused loop).
  static void fused(const Coefficients& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict m) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const T c = k.b1 * m[i] + (1 - k.b1) * g[i];
      const T sign = T(c > 0) - T(c < 0);
      x[i] = x[i] * k.keep - k.lr * sign;
      m[i] = k.b2 * m[i] + (1 - k.b2) * g[i];
    }
  }

  Config c_;
  Vec<T> m_;
};

}  // namespace descent
