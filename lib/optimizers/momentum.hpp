// Gradient descent with momentum (Polyak 1964, the heavy ball) in its three common forms; η_t is
// the rate of step t (lr times the schedule's factor), μ the key `momentum`.
//
//   variant=classic (torch.optim.SGD(momentum=μ), optax.sgd, TF1 MomentumOptimizer):
//     v_t = μ v_{t−1} + g_t                 v_0 = 0, so v_1 = g_1 exactly: torch's buffer = g_1
//     θ_t = θ_{t−1} − η_t v_t
//   variant=ewa (exponentially weighted average, β = μ; Ng's deep-learning course):
//     v_t = β v_{t−1} + (1 − β) g_t         v_0 = 0
//     θ_t = θ_{t−1} − η_t v_t
//   variant=cs231n (Sutskever et al. 2013 eq. 1, CS231n notes, Keras SGD):
//     v_t = μ v_{t−1} − η_t g_t             v_0 = 0
//     θ_t = θ_{t−1} + v_t
//
// At a constant rate cs231n's v_t is exactly −η classic's v_t (induction: −η(μ v_{t−1} + g_t) =
// μ(−η v_{t−1}) − η g_t), so the iterates agree. When the rate changes they do not: classic
// multiplies the whole accumulated velocity by the new rate, cs231n applies the new rate to the
// new gradient only and keeps past steps at the rates they were taken with. ewa's v_t is
// (1 − β) times classic's, so ewa at rate η is classic at rate (1 − β) η, under any schedule.
// torch's dampening=β is not ewa: torch's first buffer is g_1, not (1 − β) g_1.
//
// Each form is one fused pass: reads x, g, v; writes x, v (5 words per parameter).
#pragma once

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

enum class MomentumForm { classic, ewa, cs231n };

// The frameworks' momentum methods, shared with nesterov (`nesterov` names the argument that
// selects Nesterov's form in each call). Keras's SGD defaults to μ = 0, plain gradient descent,
// which this optimizer is not: its flavor keeps μ = 0.9.
inline std::vector<Flavor> momentum_flavors(bool nesterov) {
  const std::string n = nesterov ? ", nesterov=True" : "";
  return {{"torch", {}, "torch.optim.SGD(momentum=μ" + n + "), the defaults"},
          {"optax", {}, "optax.sgd(momentum=μ" + n + "): torch's form (no default rate)"},
          {"keras",
           {{"lr", "0.01"}, {"variant", "cs231n"}},
           "keras.optimizers.SGD(momentum=μ" + n + "); Keras's default μ is 0, kept at 0.9"},
          {"ensmallen",
           {{"lr", "0.01"}, {"momentum", "0.5"}, {"variant", "cs231n"}},
           nesterov ? "ens::NesterovMomentumSGD" : "ens::MomentumSGD"}};
}

struct MomentumConfig {
  double lr, momentum;
  MomentumForm variant;
  static Fields<MomentumConfig> fields() {
    using C = MomentumConfig;
    return {real_key(&C::lr, "lr", "1e-3", "step size η", Range::positive),
            real_key(&C::momentum, "momentum", "0.9", "momentum μ (β for ewa)", Range::unit_open),
            choice_key(&C::variant, "variant", "classic",
                       "classic (torch), ewa (averaged gradient), cs231n (rate inside v)",
                       {{"classic", MomentumForm::classic},
                        {"ewa", MomentumForm::ewa},
                        {"cs231n", MomentumForm::cs231n}})};
  }
};

template <class T>
class Momentum {
 public:
  using Config = MomentumConfig;
  Momentum(const Config& c, Eigen::Index n) : c_(c), v_(Vec<T>::Zero(n)) {}

  static OptimizerInfo info() {
    return {.name = "momentum",
            .summary = "heavy-ball momentum: torch's form, the averaged (ewa) or the cs231n form",
            .equations =
                "classic: v_t = μ v_{t−1} + g_t, θ_t = θ_{t−1} − η v_t\newa: v_t = β "
                "v_{t−1} + (1 − β) g_t, θ_t = θ_{t−1} − η v_t (β = `momentum`)\ncs231n: "
                "v_t = μ v_{t−1} − η g_t, θ_t = θ_{t−1} + v_t",
            .reference = "Polyak 1964; Sutskever et al. 2013; torch.optim.SGD(momentum)",
            .own_weight_decay = false,
            .flavors = momentum_flavors(false),
            .words_per_param = 5};  // reads x, g, v; writes x, v
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    const Coefficients k{T(c_.momentum), T(c_.lr) * lr_scale};
    switch (c_.variant) {
      case MomentumForm::classic:
        return fused<MomentumForm::classic>(k, x.size(), x.data(), g.data(), v_.data());
      case MomentumForm::ewa:
        return fused<MomentumForm::ewa>(k, x.size(), x.data(), g.data(), v_.data());
      case MomentumForm::cs231n:
        return fused<MomentumForm::cs231n>(k, x.size(), x.data(), g.data(), v_.data());
    }
  }

  void reset() { v_.setZero(); }

 private:
  struct Coefficients {
    T mu, lr;
  };
  // Restrict-qualified parameters, not local pointers: GCC honours `restrict` only on the former,
  // so the loop needs no run-time overlap checks (see Adam's fused loop).
  template <MomentumForm kForm>
  static void fused(const Coefficients& k, Eigen::Index n, T* __restrict x, const T* __restrict g,
                    T* __restrict v) {
    for (Eigen::Index i = 0; i < n; ++i) {
      T vi;
      if constexpr (kForm == MomentumForm::classic) vi = k.mu * v[i] + g[i];
      if constexpr (kForm == MomentumForm::ewa) vi = k.mu * v[i] + (1 - k.mu) * g[i];
      if constexpr (kForm == MomentumForm::cs231n) vi = k.mu * v[i] - k.lr * g[i];
      v[i] = vi;
      if constexpr (kForm == MomentumForm::cs231n)
        x[i] += vi;
      else
        x[i] -= k.lr * vi;
    }
  }

  Config c_;
  Vec<T> v_;
};

}  // namespace descent
