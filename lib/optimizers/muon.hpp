// Muon (Jordan et al. 2024, KellerJordan/Muon `SingleDeviceMuonWithAuxAdam` at 857d1adc, in
// double precision instead of its bfloat16 Newton–Schulz): momentum on each weight matrix, the
// update replaced by an approximately orthogonal matrix with the same singular vectors. For a
// matrix block P (R × C) with gradient G, μ = `momentum`, η_t the step's rate:
//
//   M_t = lerp(M_{t−1}, G_t, 1 − μ)                         (= μ M_{t−1} + (1 − μ) G_t)
//   U_t = lerp(G_t, M_t, μ) with nesterov=1, else M_t
//   X_0 = U_t / (‖U_t‖_F + 1e-7)   (transposed first when R > C, so that X is wide)
//   X_{k+1} = a X_k + (b A_k + c A_k²) X_k,  A_k = X_k X_kᵀ,  k < ns_steps,
//             (a, b, c) = (3.4445, −4.7750, 2.0315)
//   P_t = (1 − η_t λ) P_{t−1} − η_t √max(1, R/C) · X_{ns_steps}   (transposed back)
//
// Vector blocks (biases, gains) take Adam with decoupled decay instead, as the reference's
// auxiliary groups, with their own keys: with β = (aux_beta1, aux_beta2), ε = aux_eps,
//   m_t = lerp(m_{t−1}, g_t, 1 − β1),  v_t = lerp(v_{t−1}, g_t², 1 − β2)
//   θ_t = (1 − η'_t λ') θ_{t−1} − η'_t (m_t / (1 − β1^t)) / (√(v_t / (1 − β2^t)) + ε)
// with η'_t = aux_lr times the schedule's factor. The reference requires an lr for its auxiliary
// groups (its example uses 0.04 for scalars); the default here is 1e-3.
//
// How the reference differs from the paper and other implementations: info().differences.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"
#include "lib/optimizers/blocks.hpp"

namespace descent {

struct MuonConfig {
  double lr, momentum;
  bool nesterov;
  int ns_steps;
  double weight_decay;
  double aux_lr, aux_beta1, aux_beta2, aux_eps, aux_weight_decay;
  static Fields<MuonConfig> fields() {
    using C = MuonConfig;
    return {
        real_key(&C::lr, "lr", "0.02", "step size η of the matrix blocks", Range::positive),
        real_key(&C::momentum, "momentum", "0.95", "momentum μ", Range::unit_open),
        flag_key(&C::nesterov, "nesterov", "1", "orthogonalize lerp(G, M, μ) instead of M"),
        int_key(&C::ns_steps, "ns_steps", "5", "Newton–Schulz iterations", Range::at_least_one),
        real_key(&C::weight_decay, "weight_decay", "0", "decoupled decay λ: P ← (1 − η λ) P",
                 Range::nonnegative),
        real_key(&C::aux_lr, "aux_lr", "1e-3", "Adam's rate η' on the vector blocks",
                 Range::positive),
        real_key(&C::aux_beta1, "aux_beta1", "0.9", "Adam's β1 on the vector blocks",
                 Range::unit_open),
        real_key(&C::aux_beta2, "aux_beta2", "0.95", "Adam's β2 on the vector blocks",
                 Range::unit_open),
        real_key(&C::aux_eps, "aux_eps", "1e-10", "Adam's ε on the vector blocks", Range::positive),
        real_key(&C::aux_weight_decay, "aux_weight_decay", "0",
                 "decoupled decay λ' on the vector blocks", Range::nonnegative)};
  }
};

template <class T>
class Muon {
 public:
  using Config = MuonConfig;
  Muon(const Config& c, const Layout& layout) : c_(c) {
    for (const Block& b : layout) {
      if (b.matrix)
        matrices_.emplace_back(b);
      else
        vectors_.emplace_back(b);
    }
  }

  static OptimizerInfo info() {
    return {.name = "muon",
            .summary = "Muon: momentum orthogonalized by Newton–Schulz on each weight matrix",
            .equations =
                "M_t = lerp(M_{t−1}, G_t, 1 − μ); U_t = lerp(G_t, M_t, μ) (nesterov) or M_t\n"
                "X_0 = U_t / (‖U_t‖_F + 1e-7) (wide); X_{k+1} = a X_k + (b A_k + c A_k²) X_k, "
                "A_k = X_k X_kᵀ, (a, b, c) = (3.4445, −4.7750, 2.0315)\n"
                "P_t = (1 − η λ) P_{t−1} − η √max(1, R/C) X_{ns_steps}\n"
                "vector blocks: Adam (aux_lr, aux_beta1, aux_beta2, aux_eps) with decoupled "
                "decay aux_weight_decay",
            .reference = "Jordan et al. 2024, KellerJordan/Muon (SingleDeviceMuonWithAuxAdam)",
            .differences =
                "The reference runs Newton–Schulz in bfloat16 (float64 here); by design the "
                "quintic does not reach the exact orthogonal factor (singular values about "
                "Uniform(0.5, 1.5)). Vector blocks take Adam with decoupled decay (`aux_*` keys), "
                "as the reference's auxiliary groups.",
            .own_weight_decay = true,
            .blocks = BlockUse::matrix,
            .words_per_param = 5};  // reads P, G, M; writes P, M (plus the products)
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    const T lr = T(c_.lr) * lr_scale;
    for (MatrixState& m : matrices_) orthogonalized_step(m, x.data(), g.data(), lr);
    if (vectors_.empty()) return;
    ++t_;
    const T aux_lr = T(c_.aux_lr) * lr_scale;
    for (VectorState& v : vectors_) adam_step(v, x.data(), g.data(), aux_lr);
  }

  void reset() {
    for (MatrixState& m : matrices_) m.momentum.setZero();
    for (VectorState& v : vectors_) v.m.setZero(), v.v.setZero();
    t_ = 0;
  }

 private:
  // Working matrices sized once: X is r × c with r = min(R, C).
  struct MatrixState {
    explicit MatrixState(const Block& b)
        : block(b),
          transposed(b.rows > b.cols),
          momentum(Mat<T>::Zero(b.rows, b.cols)),
          update(b.rows, b.cols),
          x(std::min(b.rows, b.cols), std::max(b.rows, b.cols)),
          bx(x.rows(), x.cols()),
          a(x.rows(), x.rows()),
          b2(x.rows(), x.rows()) {}
    Block block;
    bool transposed;
    Mat<T> momentum, update, x, bx, a, b2;
  };
  struct VectorState {
    explicit VectorState(const Block& b)
        : block(b), m(Vec<T>::Zero(b.rows)), v(Vec<T>::Zero(b.rows)) {}
    Block block;
    Vec<T> m, v;
  };

  void orthogonalized_step(MatrixState& s, T* x, const T* g, T lr) const {
    const auto G = matrix_view(g, s.block);
    auto P = matrix_view(x, s.block);
    const T mu = T(c_.momentum);
    for (Index i = 0; i < G.rows(); ++i)
      for (Index j = 0; j < G.cols(); ++j) {
        T& m = s.momentum(i, j);
        m = lerp(m, G(i, j), T(1) - mu);
        s.update(i, j) = c_.nesterov ? lerp(G(i, j), m, mu) : m;
      }
    if (s.transposed)
      s.x = s.update.transpose();
    else
      s.x = s.update;
    s.x /= s.x.norm() + T(1e-7);
    const T a = T(3.4445), b = T(-4.7750), c = T(2.0315);
    for (int k = 0; k < c_.ns_steps; ++k) {
      s.a.noalias() = s.x * s.x.transpose();
      s.b2.noalias() = s.a * s.a;
      s.b2 = b * s.a + c * s.b2;
      s.bx.noalias() = s.b2 * s.x;
      s.x = a * s.x + s.bx;
    }
    const T scale = std::sqrt(std::max(T(1), T(s.block.rows) / T(s.block.cols)));
    const T keep = T(1) - lr * T(c_.weight_decay);
    for (Index i = 0; i < P.rows(); ++i)
      for (Index j = 0; j < P.cols(); ++j) {
        const T u = (s.transposed ? s.x(j, i) : s.x(i, j)) * scale;
        P(i, j) = P(i, j) * keep - lr * u;
      }
  }

  void adam_step(VectorState& s, T* x, const T* g, T lr) const {
    const auto gv = vector_view(g, s.block);
    auto p = vector_view(x, s.block);
    const T b1 = T(c_.aux_beta1), b2 = T(c_.aux_beta2), eps = T(c_.aux_eps);
    const T bc1 = T(1) - T(std::pow(c_.aux_beta1, t_)), bc2 = T(1) - T(std::pow(c_.aux_beta2, t_));
    const T keep = T(1) - lr * T(c_.aux_weight_decay);
    for (Index i = 0; i < p.size(); ++i) {
      s.m[i] = lerp(s.m[i], gv[i], T(1) - b1);
      s.v[i] = lerp(s.v[i], gv[i] * gv[i], T(1) - b2);
      const T update = (s.m[i] / bc1) / (std::sqrt(s.v[i] / bc2) + eps);
      p[i] = p[i] * keep - lr * update;
    }
  }

  Config c_;
  std::vector<MatrixState> matrices_;
  std::vector<VectorState> vectors_;
  int t_ = 0;  // Adam's step count on the vector blocks
};

}  // namespace descent
