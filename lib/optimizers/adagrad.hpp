// AdaGrad (Duchi, Hazan & Singer 2011, the diagonal form) with torch.optim.Adagrad's rate decay
// and placement of ε:
//
//   G_t = G_{t−1} + g_t²                      G_0 = initial_accumulator
//   η_t = η / (1 + (t − 1) λ)                 λ = lr_decay (torch; 0 is the paper's constant η)
//   θ_t = θ_{t−1} − η_t g_t / (√G_t + ε)
//
// Named variants (each framework's choice is its flavor): eps_in_sqrt=1 (optax, Keras) adds ε
// inside the root, g_t / √(G_t + ε); optax and Keras also start from G_0 = 0.1 (torch and
// ensmallen: 0), which shrinks the first steps of coordinates with small gradients. The
// schedule's factor multiplies η_t, as a changed torch group lr does.
//
// The update is one fused, vectorized loop per placement of ε, chosen when the optimizer is
// built: reads x, g, G; writes x, G (5 words per parameter).
#pragma once

#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

struct AdagradConfig {
  double lr, lr_decay, eps, initial_accumulator;
  bool eps_in_sqrt;
  static Fields<AdagradConfig> fields() {
    return {
        real_key(&AdagradConfig::lr, "lr", "1e-2", "step size η", Range::positive),
        real_key(&AdagradConfig::lr_decay, "lr_decay", "0",
                 "rate decay λ: η_t = η / (1 + (t − 1) λ)", Range::nonnegative),
        real_key(&AdagradConfig::eps, "eps", "1e-10", "ε, added after the root", Range::positive),
        real_key(&AdagradConfig::initial_accumulator, "initial_accumulator", "0",
                 "G_0 (torch 0; Keras, optax 0.1)", Range::nonnegative),
        flag_key(&AdagradConfig::eps_in_sqrt, "eps_in_sqrt", "0",
                 "ε inside the root, g/√(G + ε) (optax, Keras)")};
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
            .flavors = {{"torch", {}, "torch.optim.Adagrad, the defaults"},
                        {"optax",
                         {{"eps", "1e-7"}, {"initial_accumulator", "0.1"}, {"eps_in_sqrt", "1"}},
                         "optax.adagrad (no default rate: torch's stays)"},
                        {"keras",
                         {{"lr", "1e-3"},
                          {"eps", "1e-7"},
                          {"initial_accumulator", "0.1"},
                          {"eps_in_sqrt", "1"}},
                         "keras.optimizers.Adagrad (Keras 3)"},
                        {"ensmallen", {{"eps", "1e-8"}}, "ens::AdaGrad"}},
            .words_per_param = 5};  // reads x, g, G; writes x, G
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    ++t_;
    const Coefficients k{T(c_.lr) * lr_scale / T(1 + double(t_ - 1) * c_.lr_decay), T(c_.eps)};
    if (c_.eps_in_sqrt)
      fused<true>(k, x.size(), x.data(), g.data(), sum_.data());
    else
      fused<false>(k, x.size(), x.data(), g.data(), sum_.data());
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
  template <bool kEpsInSqrt>
  static void fused(const Coefficients& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict sum) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const T gi = g[i];
      const T si = sum[i] + gi * gi;
      sum[i] = si;
      x[i] -= k.clr * gi / (kEpsInSqrt ? std::sqrt(si + k.eps) : std::sqrt(si) + k.eps);
    }
  }

  Config c_;
  Vec<T> sum_;
  long t_ = 0;
};

}  // namespace descent
