// Normalized SGD with momentum (Cutkosky & Mehta 2020, "Momentum Improves Normalized SGD"):
//
//   m_t = β m_{t−1} + (1 − β) g_t,   θ_t = θ_{t−1} − η_t m_t / ‖m_t‖₂      m_0 = 0
//
// Every step has length η_t, whatever the gradient's scale; no step while m_t = 0.
#pragma once

#include "lib/optimizer.hpp"

struct NsgdmConfig {
  double lr, momentum;
  static descent::Fields<NsgdmConfig> fields() {
    using descent::Range, descent::real_key;
    return {real_key(&NsgdmConfig::lr, "lr", "0.01", "step length η", Range::positive),
            real_key(&NsgdmConfig::momentum, "momentum", "0.9", "momentum β", Range::unit_open)};
  }
};

template <class T>
class Nsgdm {
 public:
  using Config = NsgdmConfig;
  Nsgdm(const Config& c, Eigen::Index n) : c_(c), m_(descent::Vec<T>::Zero(n)) {}

  static descent::OptimizerInfo info() {
    return {.name = "nsgdm",
            .summary = "normalized SGD with momentum",
            .equations = "m_t = β m_{t−1} + (1 − β) g_t; θ_t = θ_{t−1} − η m_t / ‖m_t‖",
            .reference = "Cutkosky & Mehta 2020",
            .words_per_param = 5};  // reads x, g, m; writes x, m
  }

  void step(descent::VecRef<T> x, descent::CVecRef<T> g, T lr_scale) {
    m_ = T(c_.momentum) * m_ + T(1 - c_.momentum) * g;
    const T norm = m_.norm();
    if (norm > 0) x -= (T(c_.lr) * lr_scale / norm) * m_;
  }
  void reset() { m_.setZero(); }

 private:
  Config c_;
  descent::Vec<T> m_;
};
