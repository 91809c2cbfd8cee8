// AdamW (Loshchilov & Hutter 2019, Algorithm 2) as torch.optim.AdamW: Adam with the weight decay
// decoupled from the gradient and applied to θ first, scaled by the rate α_t of the step:
//
//   θ'_{t−1} = (1 − α_t λ) θ_{t−1}
//   m_t = β1 m_{t−1} + (1 − β1) g_t;  v_t = β2 v_{t−1} + (1 − β2) g_t²
//   θ_t = θ'_{t−1} − α_t/(1 − β1^t) · m_t / (√v_t / √(1 − β2^t) + ε)
//
// The paper writes the decay as η_t λ θ with a schedule multiplier η_t separate from α; torch,
// optax and Keras use α_t λ (here α_t = lr times the schedule's factor), so λ's meaning depends
// on the rate. amsgrad, amsgrad_of, eps_form and eps_root are Adam's, and so are the flavors,
// with optax's default λ = 1e-4 and Keras's 0.004 (ensmallen has no AdamW). The update
// is Adam's fused loop with the factor 1 − α_t λ on θ (lib/optimizers/adam.hpp): 7 words per
// parameter, and no separate pass for the decay.
#pragma once

#include "lib/optimizers/adam.hpp"

namespace descent {

// Adam's Config (bias correction always on) and λ.
struct AdamwConfig : AdamConfig {
  double weight_decay;
  static Fields<AdamwConfig> fields() {
    using C = AdamwConfig;
    return join<C>({{real_key<C>(&C::lr, "lr", "1e-3", "step size α", Range::positive)},
                    moment_keys<C>(),
                    {real_key(&C::weight_decay, "weight_decay", "1e-2",
                              "decoupled decay λ: θ ← (1 − α λ) θ", Range::nonnegative)},
                    adam_form_keys<C>()});
  }
};

template <class T>
class Adamw {
 public:
  using Config = AdamwConfig;
  Adamw(const Config& c, Eigen::Index n) : c_(c), adam_(c, n) {}

  static OptimizerInfo info() {
    return {.name = "adamw",
            .summary = "AdamW: Adam with decoupled weight decay (torch semantics)",
            .equations = "θ' = (1 − α λ) θ_{t−1} (λ = `weight_decay`), then Adam's step from θ'",
            .reference = "Loshchilov & Hutter 2019; torch.optim.AdamW",
            .own_weight_decay = true,
            .flavors = flavors(),
            .words_per_param = 7};  // as Adam: reads x, g, m, v; writes x, m, v
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    const T lr = T(c_.lr) * lr_scale;
    adam_.update(x, g, lr, T(1 - double(lr) * c_.weight_decay));
  }

  void reset() { adam_.reset(); }

 private:
  // Adam's flavors with each framework's default λ; ensmallen has no decoupled decay.
  static std::vector<Flavor> flavors() {
    std::vector<Flavor> all;
    for (Flavor f : adam_flavors()) {
      if (f.name == "ensmallen") continue;
      if (f.name == "torch") f.note = "torch.optim.AdamW, the defaults";
      if (f.name == "optax") {
        f.sets.emplace_back("weight_decay", "1e-4");
        f.note = "optax.adamw (no default rate: torch's stays)";
      }
      if (f.name == "keras") {
        f.sets.emplace_back("weight_decay", "0.004");
        f.note = "keras.optimizers.AdamW (Keras 3)";
      }
      all.push_back(std::move(f));
    }
    return all;
  }

  Config c_;
  Adam<T> adam_;
};

}  // namespace descent
