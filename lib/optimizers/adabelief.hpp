// AdaBelief (Zhuang et al. 2020, juntang-zhuang/Adabelief-Optimizer adabelief_pytorch 0.2.1 at
// 2855178e, amsgrad off): Adam whose second moment tracks the gradient's deviation from its
// mean, the "belief", instead of its square, with the reference's rectification (as RAdam):
//
//   decoupled=1: θ ← (1 − η_t λ) θ, else g_t ← g_t + λ θ
//   m_t = β1 m_{t−1} + (1 − β1) g_t
//   s_t = β2 s_{t−1} + (1 − β2)(g_t − m_t)² + ε        (ε accumulates in the state every step)
//   rectify=0: θ_t = θ_{t−1} − η_t/(1 − β1^t) · m_t / (√s_t / √(1 − β2^t) + ε)
//   rectify=1: with ρ_∞, ρ_t as RAdam's: ρ_t ≥ 5: θ_t = θ_{t−1} − η_t k_t m_t / (√s_t + ε),
//              k_t = √((1 − β2^t)(ρ_t − 4)(ρ_t − 2)ρ_∞ / ((ρ_∞ − 4) ρ_t (ρ_∞ − 2))) / (1 − β1^t);
//              else θ_t = θ_{t−1} − η_t m_t/(1 − β1^t)
//
// How the reference differs from the paper and other implementations: info().differences. One fused
// pass: 7 words.
#pragma once

#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

struct AdabeliefConfig {
  double lr, beta1, beta2, eps, weight_decay;
  bool rectify, decoupled;
  static Fields<AdabeliefConfig> fields() {
    using C = AdabeliefConfig;
    return {real_key(&C::lr, "lr", "1e-3", "step size η", Range::positive),
            real_key(&C::beta1, "beta1", "0.9", "first-moment decay β1", Range::unit_open),
            real_key(&C::beta2, "beta2", "0.999", "belief decay β2", Range::unit_open),
            real_key(&C::eps, "eps", "1e-16", "ε, added to s every step and after the root",
                     Range::positive),
            real_key(&C::weight_decay, "weight_decay", "0",
                     "decay λ (decoupled unless decoupled=0)", Range::nonnegative),
            flag_key(&C::rectify, "rectify", "1", "RAdam's rectification (ρ_t ≥ 5)"),
            flag_key(&C::decoupled, "decoupled", "1", "θ ← (1 − η λ) θ; 0: g ← g + λ θ")};
  }
};

template <class T>
class Adabelief {
 public:
  using Config = AdabeliefConfig;
  Adabelief(const Config& c, Eigen::Index n) : c_(c), m_(Vec<T>::Zero(n)), s_(Vec<T>::Zero(n)) {}

  static OptimizerInfo info() {
    return {.name = "adabelief",
            .summary = "AdaBelief: Adam on the variance of g around m, rectified (reference)",
            .equations =
                "m_t = β1 m_{t−1} + (1 − β1) g_t; s_t = β2 s_{t−1} + (1 − β2)(g_t − m_t)² + ε\n"
                "rectify=0: θ_t = θ_{t−1} − η/(1 − β1^t) · m_t/(√s_t/√(1 − β2^t) + ε)\n"
                "rectify=1: ρ_t ≥ 5: θ_t = θ_{t−1} − η k_t m_t/(√s_t + ε) (k_t as RAdam's "
                "r_t √(1 − β2^t)/(1 − β1^t)), else θ_t = θ_{t−1} − η m_t/(1 − β1^t)",
            .reference = "Zhuang et al. 2020; juntang-zhuang/Adabelief-Optimizer",
            .differences =
                "The paper adds ε once inside the root; the reference adds ε to s in place at "
                "every step, so that it accumulates (followed here). Its rectification threshold "
                "is ρ_t ≥ 5 (RAdam's: > 5). optax's `adabelief` has no rectification and adds ε "
                "only in the update.",
            .own_weight_decay = true,
            .words_per_param = 7};  // reads x, g, m, s; writes x, m, s
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    ++t_;
    const double lr = c_.lr * double(lr_scale), t = double(t_), b2t = std::pow(c_.beta2, t);
    const double bc1 = 1 - std::pow(c_.beta1, t), bc2 = 1 - b2t;
    Coefficients k{T(c_.beta1),
                   T(c_.beta2),
                   T(c_.eps),
                   T(c_.decoupled ? 1 - lr * c_.weight_decay : 1),
                   T(c_.decoupled ? 0 : c_.weight_decay),
                   T(0),
                   T(0),
                   Form::adam};
    if (!c_.rectify) {
      k.step = T(lr / bc1);
      k.root = T(std::sqrt(bc2));
    } else {
      const double rho_inf = 2 / (1 - c_.beta2) - 1, rho = rho_inf - 2 * t * b2t / bc2;
      if (rho >= 5) {
        k.step = T(
            std::sqrt(bc2 * (rho - 4) / (rho_inf - 4) * (rho - 2) / rho * rho_inf / (rho_inf - 2)) /
            bc1 * lr);
        k.form = Form::rectified;
      } else {
        k.step = T(1 / bc1 * lr);
        k.form = Form::sgd;
      }
    }
    switch (k.form) {
      case Form::adam:
        return fused<Form::adam>(k, x.size(), x.data(), g.data(), m_.data(), s_.data());
      case Form::rectified:
        return fused<Form::rectified>(k, x.size(), x.data(), g.data(), m_.data(), s_.data());
      case Form::sgd:
        return fused<Form::sgd>(k, x.size(), x.data(), g.data(), m_.data(), s_.data());
    }
  }

  void reset() {
    m_.setZero();
    s_.setZero();
    t_ = 0;
  }

 private:
  enum class Form { adam, rectified, sgd };
  struct Coefficients {
    T b1, b2, eps, keep, coupled, step, root;
    Form form;
  };
  template <Form kForm>
  static void fused(const Coefficients& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict m, T* __restrict s) {
    for (Eigen::Index i = 0; i < n; ++i) {
      x[i] *= k.keep;
      const T gi = g[i] + k.coupled * x[i];
      const T mi = k.b1 * m[i] + (1 - k.b1) * gi;
      const T r = gi - mi;
      const T si = k.b2 * s[i] + (1 - k.b2) * r * r + k.eps;
      m[i] = mi;
      s[i] = si;
      if constexpr (kForm == Form::adam) x[i] -= k.step * (mi / (std::sqrt(si) / k.root + k.eps));
      if constexpr (kForm == Form::rectified) x[i] -= k.step * (mi / (std::sqrt(si) + k.eps));
      if constexpr (kForm == Form::sgd) x[i] -= k.step * mi;
    }
  }

  Config c_;
  Vec<T> m_, s_;
  long t_ = 0;
};

}  // namespace descent
