// Schedule-free SGD (Defazio et al. 2024, "The Road Less Scheduled"), as
// facebookresearch/schedule_free has it (sgd_schedulefree_reference.py at 70785b53). The
// gradient is taken at y, an interpolation between the SGD sequence z and its running average
// x; the run is judged at x (eval_loss), which replaces a decaying schedule.
//
//   γ_t = η_t · min(1, t / warmup_steps)          (η_t: lr times a schedule's factor)
//   w_t = t^r · (max_{i≤t} γ_i)^p,   c_t = w_t / Σ_{i≤t} w_i      (p = weight_lr_power)
//   z_t = z_{t−1} − γ_t g(y_{t−1})
//   x_t = (1 − c_t) x_{t−1} + c_t z_t
//   y_t = β x_t + (1 − β) z_t                                      z_0 = x_0 = y_0
//
// The parameters the run loop holds are y. `weight_decay` is the common coupled one,
// g += λ y, as the reference's. 6 words per parameter: reads g, z, x; writes z, x, y.
#pragma once

#include <algorithm>
#include <cmath>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

// What both schedule-free methods share: the warm-up and the weights of the average.
struct ScheduleFree {
  long warmup_steps = 0;
  double r = 0, weight_lr_power = 2;

  template <class C>
  static Fields<C> keys(ScheduleFree C::*m) {
    return member_keys(
        m, Fields<ScheduleFree>{
               int_key(&ScheduleFree::warmup_steps, "warmup_steps", "0",
                       "linear warm-up of the step over this many steps", Range::nonnegative),
               real_key(&ScheduleFree::r, "r", "0", "power r of t in the average's weights",
                        Range::nonnegative),
               real_key(&ScheduleFree::weight_lr_power, "weight_lr_power", "2",
                        "power p of the largest step in the weights", Range::nonnegative)});
  }

  // Per-run state: the step count, the largest step so far and the sum of the weights.
  struct Averaging {
    long k = 0;
    double lr_max = -1, weight_sum = 0;
    // The step γ_t of step k + 1 (0-based k) and the average's coefficient c_t.
    std::pair<double, double> next(const ScheduleFree& s, double lr) {
      const double gamma = k < s.warmup_steps ? lr * double(k + 1) / double(s.warmup_steps) : lr;
      lr_max = std::max(lr_max, gamma);
      const double w = std::pow(double(k + 1), s.r) * std::pow(lr_max, s.weight_lr_power);
      weight_sum += w;
      ++k;
      return {gamma, weight_sum == 0 ? 0.0 : w / weight_sum};
    }
  };
};

struct SfsgdConfig {
  double lr, momentum;
  ScheduleFree sf;
  static Fields<SfsgdConfig> fields() {
    using C = SfsgdConfig;
    return join<C>(
        {{real_key(&C::lr, "lr", "1.0", "step size η", Range::positive),
          real_key(&C::momentum, "momentum", "0.9",
                   "β: y = β x + (1 − β) z, where the gradient is taken", Range::unit_open)},
         ScheduleFree::keys<C>(&C::sf)});
  }
};

template <class T>
class Sfsgd {
 public:
  using Config = SfsgdConfig;
  Sfsgd(const Config& c, Eigen::Index n) : c_(c), z_(n), x_(n) {}

  static OptimizerInfo info() {
    return {.name = "sfsgd",
            .summary = "schedule-free SGD: gradients at y, judged at the average x (reference)",
            .equations =
                "z_t = z_{t−1} − γ_t g(y_{t−1}); x_t = (1 − c_t) x_{t−1} + c_t z_t; "
                "y_t = β x_t + (1 − β) z_t\n"
                "c_t = w_t / Σ w_i, w_t = t^r (max γ)^p, γ_t = η min(1, t / warmup_steps)",
            .reference = "Defazio et al. 2024; facebookresearch/schedule_free",
            .differences =
                "The reference keeps y in the parameters and x, z in its state; the trace's loss "
                "is at y, eval_loss at x. Its `weight_decay` is coupled at y (the registry's own).",
            .own_weight_decay = false,
            .eval_point = "x, the weighted average of the SGD sequence z",
            .words_per_param = 6};  // reads g, z, x; writes z, x, y
  }

  void step(VecRef<T> y, CVecRef<T> g, T lr_scale) {
    if (avg_.k == 0) z_ = x_ = y;
    const auto [gamma, c] = avg_.next(c_.sf, c_.lr * double(lr_scale));
    fused(T(gamma), T(c), T(c_.momentum), y.size(), y.data(), g.data(), z_.data(), x_.data());
  }

  void eval_point(CVecRef<T> y, VecRef<T> out) const {
    if (avg_.k == 0)
      out = y;
    else
      out = x_;
  }

  void reset() { avg_ = {}; }

 private:
  static void fused(T gamma, T c, T beta, Eigen::Index n, T* __restrict y, const T* __restrict g,
                    T* __restrict z, T* __restrict x) {
    for (Eigen::Index i = 0; i < n; ++i) {
      z[i] -= gamma * g[i];
      x[i] = x[i] * (1 - c) + c * z[i];
      y[i] = x[i] * beta + (1 - beta) * z[i];
    }
  }

  Config c_;
  Vec<T> z_, x_;
  ScheduleFree::Averaging avg_;
};

}  // namespace descent
