// AdaMax (Kingma & Ba 2015, Section 7.1, Algorithm 2) with torch.optim.Adamax 1.13's ε:
//
//   m_t = β1 m_{t−1} + (1 − β1) g_t
//   u_t = max(β2 u_{t−1}, |g_t| + ε)              u_0 = 0
//   θ_t = θ_{t−1} − α/(1 − β1^t) · m_t / u_t
//
// The paper has no ε (u_t = max(β2 u_{t−1}, |g_t|)). torch adds it inside the max, which only
// matters while |g| is tiny; eps_in_max=0 (Keras, ensmallen) adds it to the denominator instead,
// u_t = max(β2 u_{t−1}, |g_t|), θ_t = θ_{t−1} − α/(1 − β1^t) · m_t / (u_t + ε), where it acts on
// every step. The schedule's factor scales α of the current step.
//
// One fused pass per placement of ε, chosen when the optimizer is built: reads x, g, m, u;
// writes x, m, u (7 words per parameter).
#pragma once

#include <algorithm>
#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

struct AdamaxConfig {
  double lr, beta1, beta2, eps;
  bool eps_in_max;
  static Fields<AdamaxConfig> fields() {
    return {
        real_key(&AdamaxConfig::lr, "lr", "2e-3", "step size α", Range::positive),
        real_key(&AdamaxConfig::beta1, "beta1", "0.9", "first-moment decay β1", Range::unit_open),
        real_key(&AdamaxConfig::beta2, "beta2", "0.999", "decay β2 of the infinity norm",
                 Range::unit_open),
        real_key(&AdamaxConfig::eps, "eps", "1e-8", "ε, inside the max (torch)", Range::positive),
        flag_key(&AdamaxConfig::eps_in_max, "eps_in_max", "1",
                 "ε inside the max, |g| + ε (torch); 0: on the denominator, u + ε (Keras)")};
  }
};

template <class T>
class Adamax {
 public:
  using Config = AdamaxConfig;
  Adamax(const Config& c, Eigen::Index n) : c_(c), m_(Vec<T>::Zero(n)), u_(Vec<T>::Zero(n)) {}

  static OptimizerInfo info() {
    return {.name = "adamax",
            .summary = "AdaMax: Adam with an infinity-norm second moment (torch 1.13)",
            .equations =
                "m_t as Adam, u_t = max(β2 u_{t−1}, |g_t| + ε), θ_t = θ_{t−1} − α/(1 − "
                "β1^t) · m_t / u_t",
            .reference = "Kingma & Ba 2015, Section 7.1; torch.optim.Adamax",
            .own_weight_decay = false,
            .flavors = {{"torch", {}, "torch.optim.Adamax 1.13, the defaults"},
                        {"optax", {}, "optax.adamax (no default rate: torch's stays)"},
                        {"keras",
                         {{"lr", "1e-3"}, {"eps", "1e-7"}, {"eps_in_max", "0"}},
                         "keras.optimizers.Adamax (Keras 3)"},
                        {"ensmallen", {{"lr", "1e-3"}, {"eps_in_max", "0"}}, "ens::AdaMax"}},
            .words_per_param = 7};  // reads x, g, m, u; writes x, m, u
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    ++t_;
    const T step_size = T(c_.lr) * lr_scale / T(1 - std::pow(c_.beta1, t_));
    const Moments k{T(c_.beta1), T(c_.beta2), T(c_.eps), step_size};
    if (c_.eps_in_max)
      fused<true>(k, x.size(), x.data(), g.data(), m_.data(), u_.data());
    else
      fused<false>(k, x.size(), x.data(), g.data(), m_.data(), u_.data());
  }

  void reset() {
    t_ = 0;
    m_.setZero();
    u_.setZero();
  }

 private:
  struct Moments {
    T b1, b2, eps, step_size;
  };
  // Restrict-qualified parameters, not local pointers: GCC honours `restrict` only on the former,
  // so the loop needs no run-time overlap checks (see Adam's fused loop).
  template <bool kEpsInMax>
  static void fused(const Moments& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict m, T* __restrict u) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const T gi = g[i];
      const T mi = k.b1 * m[i] + (1 - k.b1) * gi;
      const T ui = std::max(k.b2 * u[i], kEpsInMax ? std::abs(gi) + k.eps : std::abs(gi));
      m[i] = mi;
      u[i] = ui;
      x[i] -= k.step_size * mi / (kEpsInMax ? ui : ui + k.eps);
    }
  }

  Config c_;
  Vec<T> m_, u_;
  long t_ = 0;
};

}  // namespace descent
