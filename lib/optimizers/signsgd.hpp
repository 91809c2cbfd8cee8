// signSGD (Bernstein et al. 2018, "signSGD: Compressed Optimisation for Non-Convex Problems"):
// every coordinate moves by the step size against the sign of its gradient.
//
//   θ_t = θ_{t−1} − η_t sign(g_t)        sign(0) = 0
//
// No reference code: checked against this equation in tests/test_optimizers.cpp. 3 words per
// parameter: reads x, g; writes x.
#pragma once

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

struct SignsgdConfig {
  double lr;
  static Fields<SignsgdConfig> fields() {
    return {real_key(&SignsgdConfig::lr, "lr", "1e-3", "step size η", Range::positive)};
  }
};

template <class T>
class Signsgd {
 public:
  using Config = SignsgdConfig;
  Signsgd(const Config& c, Eigen::Index /*n*/) : c_(c) {}

  static OptimizerInfo info() {
    return {.name = "signsgd",
            .summary = "signSGD: a step of η against the gradient's sign per coordinate",
            .equations = "θ_t = θ_{t−1} − η sign(g_t)",
            .reference = "Bernstein et al. 2018",
            .own_weight_decay = false,
            .words_per_param = 3};  // reads x, g; writes x
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    const T lr = T(c_.lr) * lr_scale;
    fused(lr, x.size(), x.data(), g.data());
  }
  void reset() {}

 private:
  static void fused(T lr, Eigen::Index n, T* __restrict x, const T* __restrict g) {
    for (Eigen::Index i = 0; i < n; ++i) x[i] -= lr * (T(g[i] > 0) - T(g[i] < 0));
  }

  Config c_;
};

}  // namespace descent
