// NAdamW, the AlgoPerf baseline (mlcommons/algorithmic-efficiency,
// pytorch_nadamw_full_budget.py at 2c90454f): NAdam's Nesterov look-ahead with AdamW's
// decoupled decay, in Adam's form (no momentum schedule, unlike `nadam`):
//
//   θ' = (1 − η_t λ) θ_{t−1}
//   m_t = β1 m_{t−1} + (1 − β1) g_t,   v_t = β2 v_{t−1} + (1 − β2) g_t²
//   m̄_t = β1 m_t + (1 − β1) g_t
//   θ_t = θ' − η_t/(1 − β1^t) · m̄_t / (√v_t / √(1 − β2^t) + ε)
//
// The reference computes m̄_t in place in m and undoes it afterwards, m_t = (m̄_t − (1 − β1) g_t)/β1,
// which rounds m_t: this does the same, so that the trajectories agree to the last bits. AlgoPerf
// runs it with linear warmup and cosine decay, here `--schedule cosine:steps=T,warmup=w`. optax's
// `nadamw` is the same update without the in-place round trip. One fused pass: 7 words.
#pragma once

#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"
#include "lib/optimizers/adam.hpp"  // moment_keys

namespace descent {

struct NadamwConfig {
  double lr, beta1, beta2, eps, weight_decay;
  static Fields<NadamwConfig> fields() {
    using C = NadamwConfig;
    return join<C>({{real_key(&C::lr, "lr", "1e-3", "step size α", Range::positive)},
                    moment_keys<C>(),
                    {real_key(&C::weight_decay, "weight_decay", "1e-2",
                              "decoupled decay λ: θ ← (1 − α λ) θ", Range::nonnegative)}});
  }
};

template <class T>
class Nadamw {
 public:
  using Config = NadamwConfig;
  Nadamw(const Config& c, Eigen::Index n) : c_(c), m_(Vec<T>::Zero(n)), v_(Vec<T>::Zero(n)) {}

  static OptimizerInfo info() {
    return {.name = "nadamw",
            .summary = "NAdamW: Nesterov Adam with decoupled decay (the AlgoPerf baseline)",
            .equations =
                "θ' = (1 − α λ) θ_{t−1}; m_t = β1 m_{t−1} + (1 − β1) g_t; "
                "v_t = β2 v_{t−1} + (1 − β2) g_t²\n"
                "θ_t = θ' − α/(1 − β1^t) · (β1 m_t + (1 − β1) g_t) / (√v_t / √(1 − β2^t) "
                "+ ε)",
            .reference = "Dozat 2016; Loshchilov & Hutter 2019; mlcommons/algorithmic-efficiency",
            .differences =
                "The reference computes m̄ in place in m and undoes it, m = (m̄ − (1 − β1) g)/β1, "
                "which rounds m; this does the same. optax's `nadamw` skips the round trip "
                "(last-bit differences); torch's NAdam (`nadam` here) has Dozat's momentum "
                "schedule μ_t and coupled decay.",
            .own_weight_decay = true,
            .words_per_param = 7};  // reads x, g, m, v; writes x, m, v
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    ++t_;
    const T lr = T(c_.lr) * lr_scale;
    const Coefficients k{T(c_.beta1),
                         T(c_.beta2),
                         T(c_.eps),
                         lr / T(1 - std::pow(c_.beta1, double(t_))),
                         T(std::sqrt(1 - std::pow(c_.beta2, double(t_)))),
                         T(1) - lr * T(c_.weight_decay)};
    fused(k, x.size(), x.data(), g.data(), m_.data(), v_.data());
  }

  void reset() {
    m_.setZero();
    v_.setZero();
    t_ = 0;
  }

 private:
  struct Coefficients {
    T b1, b2, eps, step_size, bc2_sqrt, keep;
  };
  static void fused(const Coefficients& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict m, T* __restrict v) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const T gi = g[i];
      const T mi = k.b1 * m[i] + (1 - k.b1) * gi;
      v[i] = k.b2 * v[i] + (1 - k.b2) * gi * gi;
      const T look = k.b1 * mi + (1 - k.b1) * gi;
      x[i] = x[i] * k.keep - k.step_size * look / (std::sqrt(v[i]) / k.bc2_sqrt + k.eps);
      m[i] = (look - (1 - k.b1) * gi) / k.b1;  // the reference's undo, with its rounding
    }
  }

  Config c_;
  Vec<T> m_, v_;
  long t_ = 0;
};

}  // namespace descent
