// NAdam (Dozat 2016): Adam with Nesterov momentum and Dozat's momentum schedule, as
// torch.optim.NAdam computes it (torch >= 2.0, and 1.13's foreach path):
//
//   μ_t = β1 (1 − ½ · 0.96^(t ψ))                 ψ = momentum_decay (Dozat: 0.004)
//   m_t = β1 m_{t−1} + (1 − β1) g_t;  v_t = β2 v_{t−1} + (1 − β2) g_t²
//   θ_t = θ_{t−1} − α (1 − μ_t)/(1 − Π_{i≤t} μ_i) · g_t / (√v_t / √(1 − β2^t) + ε)
//                 − α μ_{t+1}/(1 − Π_{i≤t+1} μ_i) · m_t / (√v_t / √(1 − β2^t) + ε)
//
// torch 1.13's single-tensor path multiplied μ_t into the product twice; this is the corrected
// form (see tests/golden/README.md). Named variants (each framework's choice is its flavor):
// - momentum_schedule=constant (optax.nadam) fixes μ_t = β1, so Π μ_i = β1^t and the step is
//   β1 m_t/(1 − β1^(t+1)) + (1 − β1) g_t/(1 − β1^t) over the root; no ψ reproduces it.
// - Keras 3's Nadam is this form with 0.96^t, i.e. ψ = 1 (Keras 2 and the paper: ψ = 0.004); it
//   divides v by 1 − β2^t under the root, equal up to rounding.
// - eps_form=folded (ensmallen) folds √(1 − β2^t) into the rates and adds ε to √v_t, as Adam's.
// The schedule's factor scales α of the current step; the product Π μ_i does not depend on the
// rate.
//
// The update is one fused, vectorized loop: reads x, g, m, v; writes x, m, v (7 words per
// parameter).
#pragma once

#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"
#include "lib/optimizers/adam.hpp"  // moment_keys, eps_form_key

namespace descent {

enum class MomentumSchedule { dozat, constant };

struct NadamConfig {
  double lr, beta1, beta2, eps, momentum_decay;
  MomentumSchedule momentum_schedule;
  EpsForm eps_form;
  static Fields<NadamConfig> fields() {
    using C = NadamConfig;
    return join<C>({{real_key(&C::lr, "lr", "2e-3", "step size α", Range::positive)},
                    moment_keys<C>(),
                    {real_key(&C::momentum_decay, "momentum_decay", "4e-3",
                              "ψ of the momentum schedule μ_t", Range::nonnegative),
                     choice_key(&C::momentum_schedule, "momentum_schedule", "dozat",
                                "μ_t = β1 (1 − ½ · 0.96^(t ψ)) (torch) or μ_t = β1 (optax)",
                                {{"dozat", MomentumSchedule::dozat},
                                 {"constant", MomentumSchedule::constant}}),
                     eps_form_key<C>()}});
  }
};

template <class T>
class Nadam {
 public:
  using Config = NadamConfig;
  Nadam(const Config& c, Eigen::Index n) : c_(c), m_(Vec<T>::Zero(n)), v_(Vec<T>::Zero(n)) {}

  static OptimizerInfo info() {
    return {.name = "nadam",
            .summary = "NAdam: Adam with Nesterov momentum and Dozat's schedule (torch)",
            .equations =
                "μ_t = β1 (1 − ½ · 0.96^(t ψ)) (ψ = `momentum_decay`), m_t and v_t as "
                "Adam, d_t = √v_t / √(1 − β2^t) + ε, θ_t = θ_{t−1} − α (1 − μ_t)/(1 − "
                "Π_{i≤t} μ_i) · g_t / d_t − α μ_{t+1}/(1 − Π_{i≤t+1} μ_i) · m_t / d_t",
            .reference = "Dozat 2016; torch.optim.NAdam",
            .own_weight_decay = false,
            .flavors = {{"torch", {}, "torch.optim.NAdam, the defaults"},
                        {"optax",
                         {{"momentum_schedule", "constant"}},
                         "optax.nadam (no default rate: torch's stays)"},
                        {"keras",
                         {{"lr", "1e-3"}, {"eps", "1e-7"}, {"momentum_decay", "1"}},
                         "keras.optimizers.Nadam (Keras 3: 0.96^t, so ψ = 1)"},
                        {"ensmallen", {{"lr", "1e-3"}, {"eps_form", "folded"}}, "ens::Nadam"}},
            .words_per_param = 7};  // reads x, g, m, v; writes x, m, v
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    ++t_;
    const double mu = mu_of(t_), mu_next = mu_of(t_ + 1);
    mu_product_ *= mu;
    const double root_bc2 = std::sqrt(1 - std::pow(c_.beta2, t_));
    const bool folded = c_.eps_form == EpsForm::folded;
    const double lr = c_.lr * double(lr_scale) * (folded ? root_bc2 : 1);
    const T cg = T(lr * (1 - mu) / (1 - mu_product_));
    const T cm = T(lr * mu_next / (1 - mu_product_ * mu_next));
    const T root_scale = T(folded ? 1 : 1 / root_bc2);
    const Moments k{T(c_.beta1), T(c_.beta2), T(c_.eps), cg, cm, root_scale};
    fused(k, x.size(), x.data(), g.data(), m_.data(), v_.data());
  }

  void reset() {
    t_ = 0;
    mu_product_ = 1;
    m_.setZero();
    v_.setZero();
  }

 private:
  double mu_of(long t) const {
    if (c_.momentum_schedule == MomentumSchedule::constant) return c_.beta1;
    return c_.beta1 * (1 - 0.5 * std::pow(0.96, double(t) * c_.momentum_decay));
  }

  struct Moments {
    T b1, b2, eps, cg, cm, root_scale;  // cg, cm: the rates on g_t and m_t
  };
  // Restrict-qualified parameters, not local pointers: GCC honours `restrict` only on the former,
  // so the loop needs no run-time overlap checks (see Adam's fused loop).
  static void fused(const Moments& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict m, T* __restrict v) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const T gi = g[i];
      const T mi = k.b1 * m[i] + (1 - k.b1) * gi;
      const T vi = k.b2 * v[i] + (1 - k.b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      x[i] -= (k.cg * gi + k.cm * mi) / (std::sqrt(vi) * k.root_scale + k.eps);
    }
  }

  Config c_;
  Vec<T> m_, v_;
  long t_ = 0;
  double mu_product_ = 1;  // Π_{i≤t} μ_i
};

}  // namespace descent
