// Plain gradient descent. With the run loop's batch size it is full-batch gradient descent,
// mini-batch gradient descent or stochastic gradient descent (batch 1).
//
//   θ_{t+1} = θ_t − η g_t
#pragma once

#include "lib/config.hpp"
#include "lib/optimizer.hpp"

namespace descent {

struct SgdConfig {
  double lr;
  static Fields<SgdConfig> fields() {
    return {real_key(&SgdConfig::lr, "lr", "1e-3", "step size η", Range::positive)};
  }
};

template <class T>
class Sgd {
 public:
  using Config = SgdConfig;
  Sgd(const Config& c, Eigen::Index /*n*/) : c_(c) {}

  static OptimizerInfo info() {
    return {.name = "sgd",
            .summary = "gradient descent: full-batch, mini-batch or stochastic by batch size",
            .equations = "θ_t = θ_{t−1} − η g_t",
            .reference = "Robbins & Monro 1951; torch.optim.SGD",
            .own_weight_decay = false,
            .words_per_param = 3};  // reads x, g; writes x
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) { x.noalias() -= T(c_.lr) * lr_scale * g; }
  void reset() {}

 private:
  Config c_;
};

}  // namespace descent
