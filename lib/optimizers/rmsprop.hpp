// RMSProp (Tieleman & Hinton 2012, lecture 6e) with torch.optim.RMSprop's ε, centering and
// momentum:
//
//   v_t = α v_{t−1} + (1 − α) g_t²
//   centered=1 (Graves 2013):  ḡ_t = α ḡ_{t−1} + (1 − α) g_t,  v̂_t = v_t − ḡ_t²;  else v̂_t = v_t
//   momentum μ = 0:  θ_t = θ_{t−1} − η g_t / (√v̂_t + ε)
//   momentum μ > 0:  b_t = μ b_{t−1} + g_t / (√v̂_t + ε),  θ_t = θ_{t−1} − η b_t
//   (v_0 = ḡ_0 = b_0 = 0)
//
// ε is added after the root (torch). Keras and TF put it inside, g / √(v̂_t + ε), and so does
// optax.rmsprop (eps_in_sqrt=True by default); their defaults are also α = 0.9 (here 0.99).
// With momentum, torch keeps η outside the buffer (b sums g / (√v̂ + ε), like classic momentum);
// TF and Keras accumulate η g / √(v̂ + ε) in it, which differs once the rate changes.
//
// The update is one fused, vectorized loop, instantiated per (centered, momentum) so that the
// loop has no branch: reads x, g, v; writes x, v (5 words per parameter); momentum adds b and
// centered adds ḡ (2 words each).
#pragma once

#include <cmath>

#include "lib/optimizer.hpp"

namespace descent {

struct RmspropConfig {
  double lr, alpha, eps, momentum;
  bool centered;
  explicit RmspropConfig(const Params& p)
      : lr(p.real("lr")),
        alpha(p.real("alpha")),
        eps(p.real("eps")),
        momentum(p.real("momentum")),
        centered(p.flag("centered")) {}
};

template <class T>
class Rmsprop {
 public:
  using Config = RmspropConfig;
  Rmsprop(const Config& c, Eigen::Index n)
      : c_(c),
        v_(Vec<T>::Zero(n)),
        mean_(Vec<T>::Zero(c.centered ? n : 0)),
        buf_(Vec<T>::Zero(c.momentum > 0 ? n : 0)) {}

  static OptimizerInfo info() {
    return {.name = "rmsprop",
            .summary = "RMSProp: rate from a running average of squared gradients (torch)",
            .equations =
                "v_t = α v_{t−1} + (1 − α) g_t²;  centered: ḡ_t = α ḡ_{t−1} + (1 − α) g_t, "
                "v̂_t = v_t − ḡ_t²;  θ_t = θ_{t−1} − η g_t / (√v̂_t + ε);  "
                "momentum: b_t = μ b_{t−1} + g_t / (√v̂_t + ε), θ_t = θ_{t−1} − η b_t",
            .reference = "Tieleman & Hinton 2012; centered: Graves 2013; torch.optim.RMSprop",
            .keys = {real_key("lr", "1e-2", "step size η", Range::positive),
                     real_key("alpha", "0.99", "decay α of the squared-gradient average",
                              Range::unit_open),
                     real_key("eps", "1e-8", "ε, added after the root", Range::positive),
                     real_key("momentum", "0", "momentum μ on the scaled gradient (0: off)",
                              Range::unit_open),
                     flag_key("centered", "0", "divide by the root of the variance estimate")},
            .own_weight_decay = false,
            .words_per_param = 5};  // reads x, g, v; writes x, v (defaults: no b, no ḡ)
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    const T lr = T(c_.lr) * lr_scale;
    const bool momentum = c_.momentum > 0;
    if (c_.centered) return momentum ? update<true, true>(x, g, lr) : update<true, false>(x, g, lr);
    return momentum ? update<false, true>(x, g, lr) : update<false, false>(x, g, lr);
  }

  void reset() {
    v_.setZero();
    mean_.setZero();
    buf_.setZero();
  }

 private:
  template <bool kCentered, bool kMomentum>
  void update(VecRef<T> x, CVecRef<T> g, T lr) {
    const T alpha = T(c_.alpha), eps = T(c_.eps), mu = T(c_.momentum);
    T* __restrict xp = x.data();
    const T* __restrict gp = g.data();
    T* __restrict vp = v_.data();
    T* __restrict mp = mean_.data();
    T* __restrict bp = buf_.data();
    const Eigen::Index n = x.size();
    for (Eigen::Index i = 0; i < n; ++i) {
      const T gi = gp[i];
      const T vi = alpha * vp[i] + (1 - alpha) * gi * gi;
      vp[i] = vi;
      T vhat = vi;  // v̂_t
      if constexpr (kCentered) {
        const T mi = alpha * mp[i] + (1 - alpha) * gi;
        mp[i] = mi;
        vhat = vi - mi * mi;
      }
      const T root = std::sqrt(vhat);
      if constexpr (kMomentum) {
        const T bi = mu * bp[i] + gi / (root + eps);
        bp[i] = bi;
        xp[i] -= lr * bi;
      } else {
        xp[i] -= lr * gi / (root + eps);
      }
    }
  }

  Config c_;
  Vec<T> v_, mean_, buf_;
};

}  // namespace descent
