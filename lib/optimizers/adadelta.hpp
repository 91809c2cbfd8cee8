// AdaDelta (Zeiler 2012, Algorithm 1) with torch.optim.Adadelta's rate η:
//
//   E[g²]_t  = ρ E[g²]_{t−1} + (1 − ρ) g_t²
//   Δθ_t     = − √(E[Δθ²]_{t−1} + ε) / √(E[g²]_t + ε) · g_t
//   E[Δθ²]_t = ρ E[Δθ²]_{t−1} + (1 − ρ) Δθ_t²
//   θ_t      = θ_{t−1} + η Δθ_t                   (E[g²]_0 = E[Δθ²]_0 = 0)
//
// The paper has no rate (η = 1, torch's default). As in torch, Keras and optax, η scales the
// applied step but not the Δθ that E[Δθ²] accumulates, so the schedule's factor (which scales η)
// changes only the step taken. Defaults are torch's (ρ = 0.9, ε = 1e-6); the paper used
// ρ = 0.95. The frameworks share this form and differ only in defaults (their flavors): Keras
// η = 1e-3, ρ = 0.95, ε = 1e-7; ensmallen ρ = 0.95.
//
// The update is one fused, vectorized loop: reads x, g, E[g²], E[Δθ²]; writes x, E[g²], E[Δθ²]
// (7 words per parameter).
#pragma once

#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

struct AdadeltaConfig {
  double lr, rho, eps;
  static Fields<AdadeltaConfig> fields() {
    return {
        real_key(&AdadeltaConfig::lr, "lr", "1.0", "rate η on the step (1 in the paper)",
                 Range::positive),
        real_key(&AdadeltaConfig::rho, "rho", "0.9", "decay ρ of both averages", Range::unit_open),
        real_key(&AdadeltaConfig::eps, "eps", "1e-6", "ε, inside both roots", Range::positive)};
  }
};

template <class T>
class Adadelta {
 public:
  using Config = AdadeltaConfig;
  Adadelta(const Config& c, Eigen::Index n)
      : c_(c), square_avg_(Vec<T>::Zero(n)), delta_avg_(Vec<T>::Zero(n)) {}

  static OptimizerInfo info() {
    return {.name = "adadelta",
            .summary = "AdaDelta: rate from running averages of squared gradients and steps",
            .equations =
                "E[g²]_t = ρ E[g²]_{t−1} + (1 − ρ) g_t², Δθ_t = −√(E[Δθ²]_{t−1} + ε) / "
                "√(E[g²]_t + ε) · g_t, E[Δθ²]_t = ρ E[Δθ²]_{t−1} + (1 − ρ) Δθ_t², θ_t = "
                "θ_{t−1} + η Δθ_t",
            .reference = "Zeiler 2012; torch.optim.Adadelta",
            .own_weight_decay = false,
            .flavors = {{"torch", {}, "torch.optim.Adadelta, the defaults"},
                        {"optax", {}, "optax.adadelta: torch's form and defaults"},
                        {"keras",
                         {{"lr", "1e-3"}, {"rho", "0.95"}, {"eps", "1e-7"}},
                         "keras.optimizers.Adadelta (Keras 3)"},
                        {"ensmallen", {{"rho", "0.95"}}, "ens::AdaDelta"}},
            .words_per_param = 7};  // reads x, g, E[g²], E[Δθ²]; writes x, E[g²], E[Δθ²]
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    const Coefficients k{T(c_.rho), T(c_.eps), T(c_.lr) * lr_scale};
    fused(k, x.size(), x.data(), g.data(), square_avg_.data(), delta_avg_.data());
  }

  void reset() {
    square_avg_.setZero();
    delta_avg_.setZero();
  }

 private:
  struct Coefficients {
    T rho, eps, lr;
  };
  // Restrict-qualified parameters, not local pointers: GCC honours `restrict` only on the former,
  // so the loop needs no run-time overlap checks (see Adam's fused loop).
  static void fused(const Coefficients& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict sq, T* __restrict da) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const T gi = g[i];
      const T sqi = k.rho * sq[i] + (1 - k.rho) * gi * gi;
      sq[i] = sqi;
      const T delta = std::sqrt(da[i] + k.eps) / std::sqrt(sqi + k.eps) * gi;  // −Δθ_t
      da[i] = k.rho * da[i] + (1 - k.rho) * delta * delta;
      x[i] -= k.lr * delta;
    }
  }

  Config c_;
  Vec<T> square_avg_, delta_avg_;
};

}  // namespace descent
