// AdaGrad (Duchi, Hazan & Singer 2011, the diagonal form) with torch.optim.Adagrad's rate decay
// and placement of ε:
//
//   G_t = G_{t−1} + g_t²                      G_0 = initial_accumulator
//   η_t = η / (1 + (t − 1) λ)                 λ = lr_decay (torch; 0 is the paper's constant η)
//   θ_t = θ_{t−1} − η_t g_t / (√G_t + ε)
//
// ε is added after the root (torch, Keras). optax.adagrad adds it inside, g / √(G_t + ε), and
// Keras and optax start from G_0 = 0.1 (torch: 0); set initial_accumulator to match them. The
// schedule's factor multiplies η_t, as a changed torch group lr does.
//
// The update is one fused, vectorized loop: reads x, g, G; writes x, G (5 words per parameter).
#pragma once

#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

struct AdagradConfig {
  double lr, lr_decay, eps, initial_accumulator;
  static Fields<AdagradConfig> fields() {
    return {
        real_key(&AdagradConfig::lr, "lr", "1e-2", "step size η", Range::positive),
        real_key(&AdagradConfig::lr_decay, "lr_decay", "0",
                 "rate decay λ: η_t = η / (1 + (t − 1) λ)", Range::nonnegative),
        real_key(&AdagradConfig::eps, "eps", "1e-10", "ε, added after the root", Range::positive),
        real_key(&AdagradConfig::initial_accumulator, "initial_accumulator", "0",
                 "G_0 (torch 0; Keras, optax 0.1)", Range::nonnegative)};
  }
};

template <class T>
class Adagrad {
 public:
  using Config = AdagradConfig;
  Adagrad(const Config& c, Eigen::Index n) : c_(c), sum_(n) { reset(); }

  static OptimizerInfo info() {
    return {.name = "adagrad",
            .summary = "AdaGrad: per-coordinate rate from the sum of squared gradients (torch)",
            .equations =
                "G_t = G_{t−1} + g_t² (G_0 = `initial_accumulator`), η_t = η / (1 + (t "
                "− 1) `lr_decay`), θ_t = θ_{t−1} − η_t g_t / (√G_t + ε)",
            .reference = "Duchi, Hazan & Singer 2011; torch.optim.Adagrad",
            .own_weight_decay = false,
            .words_per_param = 5};  // reads x, g, G; writes x, G
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    ++t_;
    const Coefficients k{T(c_.lr) * lr_scale / T(1 + double(t_ - 1) * c_.lr_decay), T(c_.eps)};
    fused(k, x.size(), x.data(), g.data(), sum_.data());
  }

  void reset() {
    t_ = 0;
    sum_.setConstant(T(c_.initial_accumulator));
  }

 private:
  struct Coefficients {
    T clr, eps;  // η_t, ε
  };
  // Restrict-qualified parameters, not local pointers: GCC honours `restrict` only on the former,
  // so the loop needs no run-time overlap checks (see Adam's fused loop).
  static void fused(const Coefficients& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict sum) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const T gi = g[i];
      const T si = sum[i] + gi * gi;
      sum[i] = si;
      x[i] -= k.clr * gi / (std::sqrt(si) + k.eps);
    }
  }

  Config c_;
  Vec<T> sum_;
  long t_ = 0;
};

}  // namespace descent
