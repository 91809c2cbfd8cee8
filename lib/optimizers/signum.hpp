// Signum (Bernstein et al. 2018, "signSGD: Compressed Optimisation for Non-Convex Problems"):
// signSGD on a momentum.
//
//   m_t = β m_{t−1} + (1 − β) g_t,   θ_t = θ_{t−1} − η_t sign(m_t)        sign(0) = 0, m_0 = 0
//
// No reference code: checked against these equations in tests/test_optimizers.cpp. Lion
// (lion.hpp) differs by taking the sign of an interpolation between m_{t−1} and g_t and
// updating m with a second β. 5 words per parameter: reads x, g, m; writes x, m.
#pragma once

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

struct SignumConfig {
  double lr, momentum;
  static Fields<SignumConfig> fields() {
    using C = SignumConfig;
    return {real_key(&C::lr, "lr", "1e-3", "step size η", Range::positive),
            real_key(&C::momentum, "momentum", "0.9", "momentum decay β", Range::unit_open)};
  }
};

template <class T>
class Signum {
 public:
  using Config = SignumConfig;
  Signum(const Config& c, Eigen::Index n) : c_(c), m_(Vec<T>::Zero(n)) {}

  static OptimizerInfo info() {
    return {.name = "signum",
            .summary = "Signum: signSGD on a momentum",
            .equations = "m_t = β m_{t−1} + (1 − β) g_t; θ_t = θ_{t−1} − η sign(m_t)",
            .reference = "Bernstein et al. 2018",
            .own_weight_decay = false,
            .words_per_param = 5};  // reads x, g, m; writes x, m
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    const T lr = T(c_.lr) * lr_scale;
    fused(lr, T(c_.momentum), x.size(), x.data(), g.data(), m_.data());
  }
  void reset() { m_.setZero(); }

 private:
  static void fused(T lr, T beta, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict m) {
    for (Eigen::Index i = 0; i < n; ++i) {
      m[i] = beta * m[i] + (1 - beta) * g[i];
      x[i] -= lr * (T(m[i] > 0) - T(m[i] < 0));
    }
  }

  Config c_;
  Vec<T> m_;
};

}  // namespace descent
