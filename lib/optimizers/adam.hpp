// Adam (Kingma & Ba 2015, Algorithm 1) with torch.optim.Adam's placement of ε:
//
//   m_t = β1 m_{t−1} + (1 − β1) g_t
//   v_t = β2 v_{t−1} + (1 − β2) g_t²
//   θ_t = θ_{t−1} − α/(1 − β1^t) · m_t / (√v_t / √(1 − β2^t) + ε)
//
// Named variants:
// - bias_correction=0 drops both corrections: θ_t = θ_{t−1} − α m_t / (√v_t + ε).
// - amsgrad=1 (Reddi et al. 2018) keeps v̂_t = max(v̂_{t−1}, v_t) of the *raw* second moment and
//   divides that by the current correction, as torch does; optax's amsgrad takes the maximum of
//   the corrected moment instead, which differs while the correction still changes.
// ε is added after the square root and the correction (torch, optax; the paper's Algorithm 1
// writes the same). Keras folds the corrections into the rate, α_t = α √(1 − β2^t)/(1 − β1^t) and
// θ_t = θ_{t−1} − α_t m_t / (√v_t + ε) (the paper's Section 2 ordering): its ε acts as
// ε / √(1 − β2^t) here, larger early on. optax's `eps_root` (inside the root) is not offered.
// The schedule's factor scales α of the current step only, as a changed torch group lr does.
//
// The update is one fused, vectorized loop over x, g, m, v (7 words read or written per
// parameter), which makes the step run at memory bandwidth for large n and keeps a 2-D step
// short.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

// The keys of Adam's moment estimates, shared by the Adam family (adam, adamw, nadam): a Config
// with members beta1, beta2 and eps (LAMB's reference defaults ε to 1e-6).
template <class C>
Fields<C> moment_keys(const std::string& eps = "1e-8") {
  return {real_key<C>(&C::beta1, "beta1", "0.9", "first-moment decay β1", Range::unit_open),
          real_key<C>(&C::beta2, "beta2", "0.999", "second-moment decay β2", Range::unit_open),
          real_key<C>(&C::eps, "eps", eps, "ε, added after the root", Range::positive)};
}

// torch's AMSGrad form (see above), shared by adam and adamw.
template <class C>
Field<C> amsgrad_key() {
  return flag_key<C>(&C::amsgrad, "amsgrad", "0",
                     "divide by the running maximum of v (torch's form)");
}

struct AdamConfig {
  double lr, beta1, beta2, eps;
  bool amsgrad;
  bool bias_correction = true;  // adamw has no key for it
  static Fields<AdamConfig> fields() {
    using C = AdamConfig;
    return join<C>({{real_key(&C::lr, "lr", "1e-3", "step size α", Range::positive)},
                    moment_keys<C>(),
                    {amsgrad_key<C>(), flag_key(&C::bias_correction, "bias_correction", "1",
                                                "0 drops both bias corrections")}});
  }
};

template <class T>
class Adam {
 public:
  using Config = AdamConfig;
  Adam(const Config& c, Eigen::Index n)
      : c_(c), m_(Vec<T>::Zero(n)), v_(Vec<T>::Zero(n)), vmax_(Vec<T>::Zero(c.amsgrad ? n : 0)) {
    reset();
  }

  static OptimizerInfo info() {
    return {.name = "adam",
            .summary = "Adam: bias-corrected moment estimates (torch semantics)",
            .equations =
                "m_t = β1 m_{t−1} + (1 − β1) g_t, v_t = β2 v_{t−1} + (1 − β2) g_t², θ_t "
                "= θ_{t−1} − α/(1 − β1^t) · m_t / (√v_t / √(1 − β2^t) + ε)",
            .reference = "Kingma & Ba 2015; amsgrad: Reddi, Kale & Kumar 2018; torch.optim.Adam",
            .own_weight_decay = false,
            .words_per_param = 7};  // reads x, g, m, v; writes x, m, v (amsgrad: + v̂ twice)
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) { update(x, g, T(c_.lr) * lr_scale, T(1)); }

  // One step at the rate α = lr that first shrinks θ by the factor `keep`: θ ← keep θ − ...
  // (AdamW's decoupled decay, keep = 1 − α λ; Adam's keep = 1 is exact, so both share this loop).
  void update(VecRef<T> x, CVecRef<T> g, T lr, T keep) {
    const T step_size = lr * T(inv_bc1_[next_]), root_scale = T(root_scale_[next_]);
    const Moments k{T(c_.beta1), T(c_.beta2), T(c_.eps), step_size, root_scale, keep};
    if (c_.amsgrad)
      fused<true>(k, x.size(), x.data(), g.data(), m_.data(), v_.data(), vmax_.data());
    else
      fused<false>(k, x.size(), x.data(), g.data(), m_.data(), v_.data(), nullptr);
    if (++next_ == kBlock) prepare_corrections();
  }

  void reset() {
    beta1_t_ = beta2_t_ = 1;
    prepare_corrections();
    m_.setZero();
    v_.setZero();
    vmax_.setZero();
  }

 private:
  struct Moments {
    T b1, b2, eps, step_size, root_scale, keep;
  };
  // The loop over plain restrict-qualified parameters: GCC honours `restrict` on parameters, not
  // on local pointers, so this form needs no run-time overlap checks before the loop (which
  // would cost more than the update itself when n = 2).
  template <bool kAms>
  static void fused(const Moments& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict m, T* __restrict v, T* __restrict vmax) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const T mi = k.b1 * m[i] + (1 - k.b1) * g[i];
      const T vi = k.b2 * v[i] + (1 - k.b2) * g[i] * g[i];
      m[i] = mi;
      v[i] = vi;
      T denom_v = vi;
      if constexpr (kAms) denom_v = vmax[i] = std::max(vmax[i], vi);
      x[i] = k.keep * x[i] - k.step_size * mi / (std::sqrt(denom_v) * k.root_scale + k.eps);
    }
  }

  // The corrections 1/(1 − β1^t) and 1/√(1 − β2^t) of the next kBlock steps, computed together
  // every kBlock steps as vectors. A small step is a chain of dependent square roots and
  // divisions, and the CPU's divider is one unit that is not fully pipelined: the corrections'
  // own root and two divisions, computed step by step, queued in front of the update's and cost
  // about a quarter of a 2-D step. As vectors they take one root and two divisions per block.
  // β^t are running products, as std::pow would cost more than a whole 2-D step; the values are
  // those a step-by-step computation gives.
  void prepare_corrections() {
    next_ = 0;
    std::array<double, kBlock> b1t, b2t;
    for (int j = 0; j < kBlock; ++j) {
      b1t[j] = beta1_t_ *= c_.beta1;
      b2t[j] = beta2_t_ *= c_.beta2;
    }
    if (!c_.bias_correction) {
      inv_bc1_.fill(1);
      root_scale_.fill(1);
      return;
    }
    for (int j = 0; j < kBlock; ++j) {
      inv_bc1_[j] = 1 / (1 - b1t[j]);
      root_scale_[j] = 1 / std::sqrt(1 - b2t[j]);
    }
  }

  static constexpr int kBlock = 8;
  Config c_;
  Vec<T> m_, v_, vmax_;
  double beta1_t_ = 1, beta2_t_ = 1;  // β1^t, β2^t of the block's last step
  std::array<double, kBlock> inv_bc1_, root_scale_;
  int next_ = 0;  // the next step's index into the block
};

}  // namespace descent
