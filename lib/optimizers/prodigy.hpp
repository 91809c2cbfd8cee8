// Prodigy (Mishchenko & Defazio 2024, "Prodigy: An Expeditiously Adaptive Parameter-Free
// Learner"), as konstmish/prodigy has it (prodigyopt/prodigy.py at 3efb213e, decouple=True,
// β3 = √β2, safeguard_warmup=False): Adam whose step is scaled by an estimate d of the distance
// to the solution, grown from d0 as the gradients' correlation with θ0 − θ shows it is larger.
//
//   γ_t = d_t η_t ρ_t,  ρ_t = √(1 − β2^t) / (1 − β1^t) with bias_correction=1, else 1
//   r_t = β3 r_{t−1} + (d_t/d0) γ_t ⟨g_t, θ0 − θ_{t−1}⟩
//   s_t = β3 s_{t−1} + (d_t/d0) γ_t g_t
//   m_t = β1 m_{t−1} + d_t (1 − β1) g_t,   v_t = β2 v_{t−1} + d_t² (1 − β2) g_t²
//   d̂ = d_coef r_t / ‖s_t‖₁;  d_{t+1} = min(max(d_t, d̂) if d_t = d0 else d_t,
//                                          max(d_max, d̂), d_t · growth_rate)     (d_max: the
//                                          largest d̂ so far, from d0)
//   θ_t = θ_{t−1} − γ_t λ θ_{t−1} − γ_t m_t / (√v_t + d_{t+1} ε)
//
// The update uses the new d in ε's place but the old γ_t, as the reference. When ‖s_t‖₁ = 0
// (all gradients zero so far) the reference returns before updating r and θ; so does this.
// Its `use_bias_correction` defaults to False, which the paper's Algorithm does not mention;
// `bias_correction` here defaults likewise. `lr` stays at 1 ("no learning rate to tune"),
// scaled by a schedule's factor; λ is decoupled. Two passes: the first reads g, θ0, θ, m, v, s
// and writes m, v, s (9 words); the second reads θ, m, v and writes θ (4).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

struct ProdigyConfig {
  double lr, beta1, beta2, d0, d_coef, growth_rate, weight_decay, eps;
  bool bias_correction;
  static Fields<ProdigyConfig> fields() {
    using C = ProdigyConfig;
    return {
        real_key(&C::lr, "lr", "1.0", "multiplier η of the estimated step d (leave at 1)",
                 Range::positive),
        real_key(&C::beta1, "beta1", "0.9", "first-moment decay β1", Range::unit_open),
        real_key(&C::beta2, "beta2", "0.999", "second-moment decay β2 (β3 = √β2)",
                 Range::unit_open),
        real_key(&C::d0, "d0", "1e-6", "initial estimate d0 of the distance to the solution",
                 Range::positive),
        real_key(&C::d_coef, "d_coef", "1.0", "multiplier of the estimate d̂", Range::positive),
        real_key(&C::growth_rate, "growth_rate", "inf", "largest factor d may grow by per step",
                 Range::at_least_one_or_inf),
        real_key(&C::weight_decay, "weight_decay", "0", "decoupled decay λ: θ ← θ − γ λ θ",
                 Range::nonnegative),
        real_key(&C::eps, "eps", "1e-8", "ε, scaled by d, added after the root", Range::positive),
        flag_key(&C::bias_correction, "bias_correction", "0",
                 "1: γ includes Adam's bias corrections √(1 − β2^t) / (1 − β1^t)")};
  }
};

template <class T>
class Prodigy {
 public:
  using Config = ProdigyConfig;
  Prodigy(const Config& c, Eigen::Index n)
      : c_(c), x0_(n), m_(Vec<T>::Zero(n)), v_(Vec<T>::Zero(n)), s_(Vec<T>::Zero(n)) {
    reset();
  }

  static OptimizerInfo info() {
    return {
        .name = "prodigy",
        .summary = "Prodigy: Adam scaled by an estimated distance d to the solution (reference)",
        .equations =
            "γ = d η; r ← β3 r + (d/d0) γ ⟨g, θ0 − θ⟩; s ← β3 s + (d/d0) γ g; "
            "m ← β1 m + d (1 − β1) g; v ← β2 v + d² (1 − β2) g²\n"
            "d ← min(max(d, d_coef r / ‖s‖₁) (max over the run), d · growth_rate); "
            "θ ← θ − γ λ θ − γ m / (√v + d ε)",
        .reference = "Mishchenko & Defazio 2024; konstmish/prodigy",
        .differences =
            "The reference's `use_bias_correction` defaults to off (the paper's algorithm does not "
            "say), as `bias_correction` here; the update adds ε scaled by the new d but steps with "
            "the old γ; when ‖s‖₁ = 0 it returns without moving. d is one scalar over all "
            "parameters.",
        .own_weight_decay = true,
        .words_per_param = 13};  // 9 in the first pass, 4 in the second
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    if (t_ == 0) x0_ = x;
    ++t_;
    const double b1 = c_.beta1, b2 = c_.beta2, b3 = std::sqrt(b2);
    const double rho = c_.bias_correction ? std::sqrt(1 - std::pow(b2, double(t_))) /
                                                (1 - std::pow(b1, double(t_)))
                                          : 1.0;
    const double dlr = d_ * c_.lr * double(lr_scale) * rho, scale = d_ / c_.d0 * dlr;
    const First k{T(b1), T(b2), T(b3), T(scale), T(d_ * (1 - b1)), T(d_ * d_ * (1 - b2))};
    double dot = 0, l1 = 0;
    first_pass(k, x.size(), x.data(), g.data(), x0_.data(), m_.data(), v_.data(), s_.data(), dot,
               l1);
    if (l1 == 0) {  // the reference returns here: no progress to measure yet
      --t_;
      return;
    }
    r_ = b3 * r_ + scale * dot;
    const double d_hat = c_.d_coef * r_ / l1;
    double d = d_;
    if (d == c_.d0) d = std::max(d, d_hat);
    d_max_ = std::max(d_max_, d_hat);
    d_ = std::min(d_max_, d * c_.growth_rate);
    second_pass(T(dlr), T(dlr * c_.weight_decay), T(d_ * c_.eps), x.size(), x.data(), m_.data(),
                v_.data());
  }

  void reset() {
    m_.setZero();
    v_.setZero();
    s_.setZero();
    t_ = 0;
    d_ = d_max_ = c_.d0;
    r_ = 0;
  }

 private:
  struct First {
    T b1, b2, b3, scale, m_gain, v_gain;
  };
  static void first_pass(const First& k, Index n, const T* __restrict x, const T* __restrict g,
                         const T* __restrict x0, T* __restrict m, T* __restrict v, T* __restrict s,
                         double& dot, double& l1) {
    double sum_dot = 0, sum_s = 0;  // in double, for float's sake
    for (Index i = 0; i < n; ++i) {
      const T gi = g[i];
      sum_dot += double(gi) * double(x0[i] - x[i]);
      m[i] = k.b1 * m[i] + k.m_gain * gi;
      v[i] = k.b2 * v[i] + k.v_gain * gi * gi;
      s[i] = k.b3 * s[i] + k.scale * gi;
      sum_s += double(std::abs(s[i]));
    }
    dot = sum_dot;
    l1 = sum_s;
  }
  static void second_pass(T dlr, T decay, T eps, Index n, T* __restrict x, const T* __restrict m,
                          const T* __restrict v) {
    for (Index i = 0; i < n; ++i) {
      const T decayed = x[i] - decay * x[i];
      x[i] = decayed - dlr * (m[i] / (std::sqrt(v[i]) + eps));
    }
  }

  Config c_;
  Vec<T> x0_, m_, v_, s_;
  long t_ = 0;
  double d_ = 0, d_max_ = 0, r_ = 0;
};

}  // namespace descent
