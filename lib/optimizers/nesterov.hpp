// Nesterov's accelerated gradient as a momentum method (Nesterov 1983; Sutskever et al. 2013,
// eqs. 3–4), written in the shifted iterate θ = look-ahead point so that only g_t = ∇f(θ_{t−1})
// is needed (Bengio, Boulanger-Lewandowski & Pascanu 2013). η_t is the rate of step t.
//
//   variant=classic (torch.optim.SGD(momentum=μ, nesterov=True), optax.sgd(nesterov=True)):
//     v_t = μ v_{t−1} + g_t                 v_0 = 0, so v_1 = g_1: torch's buffer = g_1
//     θ_t = θ_{t−1} − η_t (g_t + μ v_t)
//   variant=cs231n (CS231n notes; Keras SGD(nesterov=True) is the same up to rounding):
//     v_t = μ v_{t−1} − η_t g_t             v_0 = 0
//     θ_t = θ_{t−1} − μ v_{t−1} + (1 + μ) v_t
//
// cs231n's step is −η_t g_t + μ v_t; at a constant rate its v_t is −η times classic's, so the
// iterates agree. When the rate changes, classic rescales the whole velocity by the new rate and
// cs231n keeps past contributions at their old rates, so the trajectories separate.
//
// Each form is one fused pass: reads x, g, v; writes x, v (5 words per parameter).
#pragma once

#include "lib/config.hpp"
#include "lib/optimizer.hpp"
#include "lib/optimizers/momentum.hpp"

namespace descent {

enum class NesterovForm { classic, cs231n };

struct NesterovConfig {
  double lr, momentum;
  NesterovForm variant;
  static Fields<NesterovConfig> fields() {
    using C = NesterovConfig;
    return {
        real_key(&C::lr, "lr", "1e-3", "step size η", Range::positive),
        real_key(&C::momentum, "momentum", "0.9", "momentum μ", Range::unit_open),
        choice_key(&C::variant, "variant", "classic", "classic (torch) or cs231n (rate inside v)",
                   {{"classic", NesterovForm::classic}, {"cs231n", NesterovForm::cs231n}})};
  }
};

template <class T>
class Nesterov {
 public:
  using Config = NesterovConfig;
  Nesterov(const Config& c, Eigen::Index n) : c_(c), v_(Vec<T>::Zero(n)) {}

  static OptimizerInfo info() {
    return {.name = "nesterov",
            .summary = "Nesterov momentum: torch's form or the cs231n form",
            .equations =
                "classic: v_t = μ v_{t−1} + g_t, θ_t = θ_{t−1} − η (g_t + μ "
                "v_t)\ncs231n: v_t = μ v_{t−1} − η g_t, θ_t = θ_{t−1} − μ v_{t−1} + (1 "
                "+ μ) v_t",
            .reference = "Nesterov 1983; Sutskever et al. 2013; torch.optim.SGD(nesterov=True)",
            .own_weight_decay = false,
            .flavors = momentum_flavors(true),
            .words_per_param = 5};  // reads x, g, v; writes x, v
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    const Coefficients k{T(c_.momentum), T(c_.lr) * lr_scale};
    if (c_.variant == NesterovForm::cs231n)
      fused<true>(k, x.size(), x.data(), g.data(), v_.data());
    else
      fused<false>(k, x.size(), x.data(), g.data(), v_.data());
  }

  void reset() { v_.setZero(); }

 private:
  struct Coefficients {
    T mu, lr;
  };
  // Restrict-qualified parameters, not local pointers: GCC honours `restrict` only on the former,
  // so the loop needs no run-time overlap checks (see Adam's fused loop).
  template <bool kCs231n>
  static void fused(const Coefficients& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict v) {
    for (Eigen::Index i = 0; i < n; ++i) {
      if constexpr (kCs231n) {
        const T prev = v[i];
        const T vi = k.mu * prev - k.lr * g[i];
        v[i] = vi;
        x[i] += -k.mu * prev + (1 + k.mu) * vi;
      } else {
        const T gi = g[i];
        const T vi = k.mu * v[i] + gi;
        v[i] = vi;
        x[i] -= k.lr * (gi + k.mu * vi);
      }
    }
  }

  Config c_;
  Vec<T> v_;
};

}  // namespace descent
