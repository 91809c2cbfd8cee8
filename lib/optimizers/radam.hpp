// RAdam (Liu et al. 2020, "On the Variance of the Adaptive Learning Rate and Beyond") as
// torch.optim.RAdam 1.13: Adam whose adaptive rate is switched on, and rectified, once the
// variance of the second-moment estimate is tractable. With ρ_∞ = 2/(1 − β2) − 1 and
// ρ_t = ρ_∞ − 2 t β2^t / (1 − β2^t):
//
//   m_t = β1 m_{t−1} + (1 − β1) g_t,   v_t = β2 v_{t−1} + (1 − β2) g_t²
//   ρ_t > 5:  r_t = √((ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t))
//             θ_t = θ_{t−1} − η_t · m_t/(1 − β1^t) · r_t √(1 − β2^t) / (√v_t + ε)
//   else:     θ_t = θ_{t−1} − η_t · m_t/(1 − β1^t)      (momentum SGD for the first steps)
//
// Differences from the paper and other implementations: info().differences. One fused pass:
// 7 words.
#pragma once

#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"
#include "lib/optimizers/adam.hpp"  // moment_keys

namespace descent {

struct RadamConfig {
  double lr, beta1, beta2, eps;
  static Fields<RadamConfig> fields() {
    using C = RadamConfig;
    return join<C>(
        {{real_key(&C::lr, "lr", "1e-3", "step size η", Range::positive)}, moment_keys<C>()});
  }
};

template <class T>
class Radam {
 public:
  using Config = RadamConfig;
  Radam(const Config& c, Eigen::Index n) : c_(c), m_(Vec<T>::Zero(n)), v_(Vec<T>::Zero(n)) {}

  static OptimizerInfo info() {
    return {.name = "radam",
            .summary = "RAdam: Adam with its adaptive rate rectified by ρ_t (torch semantics)",
            .equations =
                "m_t, v_t as Adam; ρ_t = ρ_∞ − 2 t β2^t/(1 − β2^t), ρ_∞ = 2/(1 − β2) − 1\n"
                "ρ_t > 5: θ_t = θ_{t−1} − η m_t/(1 − β1^t) · r_t √(1 − β2^t)/(√v_t + ε), "
                "r_t = √((ρ_t − 4)(ρ_t − 2)ρ_∞/((ρ_∞ − 4)(ρ_∞ − 2)ρ_t))\n"
                "else: θ_t = θ_{t−1} − η m_t/(1 − β1^t)",
            .reference = "Liu et al. 2020; torch.optim.RAdam",
            .differences =
                "The paper rectifies when ρ_t > 4; torch 1.13 and this when ρ_t > 5, AdaBelief's "
                "code when ρ_t ≥ 5. torch's `weight_decay` is the coupled one.",
            .own_weight_decay = false,
            .words_per_param = 7};  // reads x, g, m, v; writes x, m, v
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    ++t_;
    const double t = double(t_), b2t = std::pow(c_.beta2, t);
    const double bc1 = 1 - std::pow(c_.beta1, t), bc2 = 1 - b2t;
    const double rho_inf = 2 / (1 - c_.beta2) - 1, rho = rho_inf - 2 * t * b2t / bc2;
    Coefficients k{T(c_.beta1), T(c_.beta2), T(c_.eps), T(bc1), T(c_.lr) * lr_scale, T(0)};
    if (rho > 5) {
      const double r =
          std::sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho));
      k.rect = T(r * std::sqrt(bc2));
      fused<true>(k, x.size(), x.data(), g.data(), m_.data(), v_.data());
    } else {
      fused<false>(k, x.size(), x.data(), g.data(), m_.data(), v_.data());
    }
  }

  void reset() {
    m_.setZero();
    v_.setZero();
    t_ = 0;
  }

 private:
  struct Coefficients {
    T b1, b2, eps, bc1, lr, rect;  // rect: r_t √(1 − β2^t)
  };
  template <bool kAdaptive>
  static void fused(const Coefficients& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict m, T* __restrict v) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const T gi = g[i];
      m[i] = k.b1 * m[i] + (1 - k.b1) * gi;
      v[i] = k.b2 * v[i] + (1 - k.b2) * gi * gi;
      const T corrected = m[i] / k.bc1 * k.lr;
      if constexpr (kAdaptive)
        x[i] -= corrected * (k.rect / (std::sqrt(v[i]) + k.eps));
      else
        x[i] -= corrected;
    }
  }

  Config c_;
  Vec<T> m_, v_;
  long t_ = 0;
};

}  // namespace descent
