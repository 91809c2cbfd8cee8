// RMSProp (Tieleman & Hinton 2012, lecture 6e) with torch.optim.RMSprop's ε, centering and
// momentum:
//
//   v_t = α v_{t−1} + (1 − α) g_t²
//   centered=1 (Graves 2013):  ḡ_t = α ḡ_{t−1} + (1 − α) g_t,  v̂_t = v_t − ḡ_t²;  else v̂_t = v_t
//   momentum μ = 0:  θ_t = θ_{t−1} − η g_t / (√v̂_t + ε)
//   momentum μ > 0:  b_t = μ b_{t−1} + g_t / (√v̂_t + ε),  θ_t = θ_{t−1} − η b_t
//   (v_0 = ḡ_0 = b_0 = 0)
//
// Named variants (each framework's choice is its flavor):
// - eps_in_sqrt=1 (optax, Keras, TensorFlow) adds ε inside the root: g_t / √(v̂_t + ε). Near the
//   optimum, where v̂ falls below ε, this caps the step at η g/√ε instead of η g/ε.
// - rate_in_buffer=1 (optax, Keras, TensorFlow) accumulates rate-scaled steps,
//   b_t = μ b_{t−1} + η_t g_t / (√v̂_t + ε), θ_t = θ_{t−1} − b_t; the same as torch's at a constant
//   rate, but a decaying rate shrinks only the new step, not the momentum already gathered.
//
// The update is one fused, vectorized loop per (centered, momentum, eps_in_sqrt, rate_in_buffer),
// chosen when the optimizer is built, so that the loop has no branch: reads x, g, v; writes x, v
// (5 words per parameter); momentum adds b and centered adds ḡ (2 words each).
#pragma once

#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

struct RmspropConfig {
  double lr, alpha, eps, momentum;
  bool centered, eps_in_sqrt, rate_in_buffer;
  static Fields<RmspropConfig> fields() {
    return {
        real_key(&RmspropConfig::lr, "lr", "1e-2", "step size η", Range::positive),
        real_key(&RmspropConfig::alpha, "alpha", "0.99", "decay α of the squared-gradient average",
                 Range::unit_open),
        real_key(&RmspropConfig::eps, "eps", "1e-8", "ε, added after the root", Range::positive),
        real_key(&RmspropConfig::momentum, "momentum", "0",
                 "momentum μ on the scaled gradient (0: off)", Range::unit_open),
        flag_key(&RmspropConfig::centered, "centered", "0",
                 "divide by the root of the variance estimate"),
        flag_key(&RmspropConfig::eps_in_sqrt, "eps_in_sqrt", "0",
                 "ε inside the root, g/√(v̂ + ε) (optax, Keras)"),
        flag_key(&RmspropConfig::rate_in_buffer, "rate_in_buffer", "0",
                 "the momentum buffer sums η g/(√v̂ + ε) (optax, Keras)")};
  }
};

template <class T>
class Rmsprop {
 public:
  using Config = RmspropConfig;
  Rmsprop(const Config& c, Eigen::Index n)
      : c_(c),
        v_(Vec<T>::Zero(n)),
        mean_(Vec<T>::Zero(c.centered ? n : 0)),
        buf_(Vec<T>::Zero(c.momentum > 0 ? n : 0)),
        loop_(loop_for(c)) {}

  static OptimizerInfo info() {
    return {.name = "rmsprop",
            .summary = "RMSProp: rate from a running average of squared gradients (torch)",
            .equations =
                "v_t = α v_{t−1} + (1 − α) g_t²; v̂_t = v_t, or with `centered=1` ḡ_t = "
                "α ḡ_{t−1} + (1 − α) g_t, v̂_t = v_t − ḡ_t²; θ_t = θ_{t−1} − η g_t / "
                "(√v̂_t + ε); with μ = `momentum` > 0: b_t = μ b_{t−1} + g_t / (√v̂_t + "
                "ε), θ_t = θ_{t−1} − η b_t",
            .reference = "Tieleman & Hinton 2012; centered: Graves 2013; torch.optim.RMSprop",
            .own_weight_decay = false,
            .flavors = {{"torch", {}, "torch.optim.RMSprop, the defaults"},
                        {"optax",
                         {{"alpha", "0.9"}, {"eps_in_sqrt", "1"}, {"rate_in_buffer", "1"}},
                         "optax.rmsprop (no default rate: torch's stays)"},
                        {"keras",
                         {{"lr", "1e-3"},
                          {"alpha", "0.9"},
                          {"eps", "1e-7"},
                          {"eps_in_sqrt", "1"},
                          {"rate_in_buffer", "1"}},
                         "keras.optimizers.RMSprop (Keras 3), as tf.keras"},
                        {"ensmallen", {}, "ens::RMSProp: torch's form and defaults, no momentum"}},
            .words_per_param = 5};  // reads x, g, v; writes x, v (defaults: no b, no ḡ)
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    const Coefficients k{T(c_.alpha), T(c_.eps), T(c_.momentum), T(c_.lr) * lr_scale};
    loop_(k, x.size(), x.data(), g.data(), v_.data(), mean_.data(), buf_.data());
  }

  void reset() {
    v_.setZero();
    mean_.setZero();
    buf_.setZero();
  }

 private:
  struct Coefficients {
    T alpha, eps, mu, lr;
  };

  // Restrict-qualified parameters, not local pointers: GCC honours `restrict` only on the former,
  // so the loop needs no run-time overlap checks (see Adam's fused loop).
  template <bool kCentered, bool kMomentum, bool kEpsInSqrt, bool kRateInBuffer>
  static void fused(const Coefficients& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict v, T* __restrict mean, T* __restrict buf) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const T gi = g[i];
      const T vi = k.alpha * v[i] + (1 - k.alpha) * gi * gi;
      v[i] = vi;
      T vhat = vi;  // v̂_t
      if constexpr (kCentered) {
        const T mi = k.alpha * mean[i] + (1 - k.alpha) * gi;
        mean[i] = mi;
        vhat = vi - mi * mi;
      }
      const T denom = kEpsInSqrt ? std::sqrt(vhat + k.eps) : std::sqrt(vhat) + k.eps;
      if constexpr (kMomentum && kRateInBuffer) {
        const T bi = k.mu * buf[i] + k.lr * gi / denom;
        buf[i] = bi;
        x[i] -= bi;
      } else if constexpr (kMomentum) {
        const T bi = k.mu * buf[i] + gi / denom;
        buf[i] = bi;
        x[i] -= k.lr * bi;
      } else {
        x[i] -= k.lr * gi / denom;
      }
    }
  }

  using Loop = void (*)(const Coefficients&, Eigen::Index, T*, const T*, T*, T*, T*);

  // The loop of the configuration's form; rate_in_buffer changes nothing without momentum.
  static Loop loop_for(const Config& c) {
    return pick<>(c.centered, c.momentum > 0, c.eps_in_sqrt, c.momentum > 0 && c.rate_in_buffer);
  }
  template <bool... kChosen, class... Rest>
  static Loop pick(bool flag, Rest... rest) {
    if constexpr (sizeof...(Rest) == 0)
      return flag ? &fused<kChosen..., true> : &fused<kChosen..., false>;
    else
      return flag ? pick<kChosen..., true>(rest...) : pick<kChosen..., false>(rest...);
  }

  Config c_;
  Vec<T> v_, mean_, buf_;
  Loop loop_;
};

}  // namespace descent
