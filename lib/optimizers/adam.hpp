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
// The update is one pass over x, g, m, v in cache-sized blocks (7 words read or written per
// parameter; lib/optimizers/blocks.hpp), which makes the step run at memory bandwidth.
#pragma once

#include <cmath>

#include "lib/optimizers/blocks.hpp"

namespace descent {

struct AdamConfig {
  double lr, beta1, beta2, eps;
  bool amsgrad, bias_correction;
  AdamConfig(double lr, double beta1, double beta2, double eps, bool amsgrad, bool bias_correction)
      : lr(lr),
        beta1(beta1),
        beta2(beta2),
        eps(eps),
        amsgrad(amsgrad),
        bias_correction(bias_correction) {}
  explicit AdamConfig(const Params& p)
      : AdamConfig(p.real("lr"), p.real("beta1"), p.real("beta2"), p.real("eps"), p.flag("amsgrad"),
                   p.flag("bias_correction")) {}
};

template <class T>
class Adam {
 public:
  using Config = AdamConfig;
  Adam(const Config& c, Eigen::Index n)
      : c_(c), m_(Vec<T>::Zero(n)), v_(Vec<T>::Zero(n)), vmax_(Vec<T>::Zero(c.amsgrad ? n : 0)) {}

  static OptimizerInfo info() {
    return {.name = "adam",
            .summary = "Adam: bias-corrected moment estimates (torch semantics)",
            .equations =
                "m_t = β1 m_{t−1} + (1 − β1) g_t;  v_t = β2 v_{t−1} + (1 − β2) g_t²;  "
                "θ_t = θ_{t−1} − α/(1 − β1^t) · m_t / (√v_t / √(1 − β2^t) + ε)",
            .reference = "Kingma & Ba 2015; amsgrad: Reddi, Kale & Kumar 2018; torch.optim.Adam",
            .keys = {real_key("lr", "1e-3", "step size α", Range::positive),
                     real_key("beta1", "0.9", "first-moment decay β1", Range::unit_open),
                     real_key("beta2", "0.999", "second-moment decay β2", Range::unit_open),
                     real_key("eps", "1e-8", "ε, added after the root", Range::positive),
                     flag_key("amsgrad", "0", "divide by the running maximum of v (torch's form)"),
                     flag_key("bias_correction", "1", "0 drops both bias corrections")},
            .own_weight_decay = false,
            .words_per_param = 7};  // reads x, g, m, v; writes x, m, v (amsgrad: + v̂ twice)
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) { update(x, g, T(c_.lr) * lr_scale, T(1)); }

  // One step at the rate α = lr that first shrinks θ by the factor `keep`: θ ← keep θ − ...
  // (AdamW's decoupled decay, keep = 1 − α λ; Adam's keep = 1 is exact, so both share this loop).
  void update(VecRef<T> x, CVecRef<T> g, T lr, T keep) {
    ++t_;
    const T b1 = T(c_.beta1), b2 = T(c_.beta2), eps = T(c_.eps);
    T step_size = lr, root_scale = 1;
    if (c_.bias_correction) {
      step_size /= T(1 - std::pow(c_.beta1, t_));
      root_scale = T(1 / std::sqrt(1 - std::pow(c_.beta2, t_)));
    }
    for_blocks(x.size(), [&](Eigen::Index i, Eigen::Index len) {
      auto theta = x.segment(i, len).array();
      const auto gs = g.segment(i, len).array();
      auto m = m_.segment(i, len).array();
      auto v = v_.segment(i, len).array();
      m = b1 * m + (1 - b1) * gs;
      v = b2 * v + (1 - b2) * gs * gs;
      if (!c_.amsgrad) {
        theta = keep * theta - step_size * m / (exact_sqrt(v) * root_scale + eps);
        return;
      }
      auto vmax = vmax_.segment(i, len).array();
      vmax = vmax.max(v);
      theta = keep * theta - step_size * m / (exact_sqrt(vmax) * root_scale + eps);
    });
  }

  void reset() {
    t_ = 0;
    m_.setZero();
    v_.setZero();
    vmax_.setZero();
  }

 private:
  Config c_;
  Vec<T> m_, v_, vmax_;
  long t_ = 0;
};

}  // namespace descent
