// SOAP (Vyas et al. 2024, nikhilvyas/SOAP at a1e55353, with max_precond_dim = 10000,
// merge_dims, normalize_grads and precondition_1d off, correct_bias on): Adam run in the
// eigenbasis of Shampoo's preconditioners. For a matrix block P (R × C) with gradient G,
// sb = shampoo_beta (β2 when negative), n counting the updates made, η_t the step's rate:
//
//   first call:  L = (1 − sb) G Gᵀ, R = (1 − sb) Gᵀ G (a lerp from 0); Q_L, Q_R the eigenvectors
//                of L + 1e-30 I and R + 1e-30 I, by descending eigenvalue; P is not changed
//   later calls: G' = Q_Lᵀ G Q_R;  n ← n + 1
//                m = β1 m + (1 − β1) G',  v = β2 v + (1 − β2) G'²
//                P ← P − η √(1 − β2^n)/(1 − β1^n) · Q_L (m / (√v + ε)) Q_Rᵀ
//                P ← P − η λ P  (after the step, without the correction)
//                m ← Q_L m Q_Rᵀ;  L ← lerp(L, G Gᵀ, 1 − sb),  R ← lerp(R, Gᵀ G, 1 − sb)
//                every precondition_frequency updates, for L then R: order the basis by the
//                estimated eigenvalues diag(Qᵀ L Q), descending (and v's rows, or columns, with
//                it), then Q ← the Q of the QR decomposition of L Q (one power iteration)
//                m ← Q_Lᵀ m Q_R in the current basis
//
// A vector block is Adam with the same bias correction and decay (the reference's
// precondition_1d=False), and its first call is skipped too. The result does not depend on the
// signs of the eigenvectors or of the QR's columns.
//
// How the reference differs from the paper and other implementations: info().differences.
#pragma once

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"
#include "lib/optimizers/blocks.hpp"

namespace descent {

struct SoapConfig {
  double lr, beta1, beta2, shampoo_beta, eps, weight_decay;
  int precondition_frequency;
  static Fields<SoapConfig> fields() {
    using C = SoapConfig;
    return {real_key(&C::lr, "lr", "3e-3", "step size η", Range::positive),
            real_key(&C::beta1, "beta1", "0.95", "first-moment decay β1", Range::unit_open),
            real_key(&C::beta2, "beta2", "0.95", "second-moment decay β2", Range::unit_open),
            real_key(&C::shampoo_beta, "shampoo_beta", "-1", "decay of L and R (negative: β2)"),
            real_key(&C::eps, "eps", "1e-8", "ε, added after the root", Range::positive),
            real_key(&C::weight_decay, "weight_decay", "0.01", "decay λ: P ← P − η λ P",
                     Range::nonnegative),
            int_key(&C::precondition_frequency, "precondition_frequency", "10",
                    "refresh the basis every this many updates", Range::at_least_one)};
  }
  void check() const {
    if (shampoo_beta >= 1)
      throw UsageError(fmt::format("optimizer 'soap': key 'shampoo_beta' must be below 1 (got {})",
                                   shampoo_beta));
  }
};

template <class T>
class Soap {
 public:
  using Config = SoapConfig;
  Soap(const Config& c, const Layout& layout) : c_(c) {
    for (const Block& b : layout) blocks_.emplace_back(b);
  }

  static OptimizerInfo info() {
    return {.name = "soap",
            .summary = "SOAP: Adam in the eigenbasis of Shampoo's preconditioners (reference)",
            .equations =
                "first call: L = (1 − sb) G Gᵀ, R = (1 − sb) Gᵀ G, Q_L, Q_R their eigenvectors "
                "(descending); no step\n"
                "G' = Q_Lᵀ G Q_R; m = β1 m + (1 − β1) G'; v = β2 v + (1 − β2) G'²; "
                "P ← P − η √(1 − β2^n)/(1 − β1^n) Q_L (m/(√v + ε)) Q_Rᵀ − η λ P\n"
                "L ← lerp(L, G Gᵀ, 1 − sb), R ← lerp(R, Gᵀ G, 1 − sb); every "
                "precondition_frequency updates Q ← QR(L Q) after sorting by diag(Qᵀ L Q)\n"
                "vector blocks: Adam (the first call skipped)",
            .reference = "Vyas et al. 2024; nikhilvyas/SOAP",
            .differences =
                "The reference computes eigh and QR in float32 (float64 here); its first call only "
                "builds the preconditioners, so the first step happens on the second gradient; at "
                "ε = 1e-8 the first update divides exact zeros by ε, where correct implementations "
                "differ by rounding.",
            .own_weight_decay = true,
            .blocks = BlockUse::matrix,
            .words_per_param = 7};  // P, G, m, v read; P, m, v written (plus the rotations)
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    const T lr = T(c_.lr) * lr_scale;
    for (BlockState& s : blocks_) block_step(s, x.data(), g.data(), lr);
  }

  void reset() {
    for (BlockState& s : blocks_) {
      s.m.setZero();
      s.v.setZero();
      s.started = false;
      s.n = 0;
    }
  }

 private:
  struct BlockState {
    explicit BlockState(const Block& b)
        : block(b),
          m(Mat<T>::Zero(b.rows, b.cols)),
          v(Mat<T>::Zero(b.rows, b.cols)),
          g(b.rows, b.cols),
          work(b.rows, b.cols) {
      if (!b.matrix) return;
      left.resize(b.rows, b.rows);
      right.resize(b.cols, b.cols);
      q_left.resize(b.rows, b.rows);
      q_right.resize(b.cols, b.cols);
    }
    Block block;
    Mat<T> m, v, g, work, left, right, q_left, q_right;
    bool started = false;
    long n = 0;
  };

  T shampoo_beta() const { return T(c_.shampoo_beta >= 0 ? c_.shampoo_beta : c_.beta2); }

  // The eigenvectors of a + 1e-30 I, by descending eigenvalue.
  static Mat<T> eigenbasis(const Mat<T>& a, const Block& b) {
    const Mat<T> shifted = a + T(1e-30) * Mat<T>::Identity(a.rows(), a.cols());
    Eigen::SelfAdjointEigenSolver<Mat<T>> eig(shifted);
    if (eig.info() != Eigen::Success || !eig.eigenvectors().allFinite())
      throw NumericalError(
          fmt::format("soap: the eigendecomposition of block {}'s preconditioner failed", b.name));
    return eig.eigenvectors().rowwise().reverse();
  }

  // One power iteration and QR, after ordering q (and the matching axis of v) by the
  // estimated eigenvalues diag(qᵀ a q), descending.
  static void refresh(const Mat<T>& a, Mat<T>& q, Mat<T>& v, bool rows) {
    const Vec<T> estimate = (q.transpose() * a * q).diagonal();
    std::vector<Index> order(std::size_t(estimate.size()));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](Index i, Index j) { return estimate[i] > estimate[j]; });
    const Mat<T> q_old = q, v_old = v;
    for (Index k = 0; k < Index(order.size()); ++k) {
      q.col(k) = q_old.col(order[std::size_t(k)]);
      if (rows)
        v.row(k) = v_old.row(order[std::size_t(k)]);
      else
        v.col(k) = v_old.col(order[std::size_t(k)]);
    }
    const Mat<T> power = a * q;
    Eigen::HouseholderQR<Mat<T>> qr(power);
    q = qr.householderQ() * Mat<T>::Identity(power.rows(), power.cols());
  }

  static void lerp_into(Mat<T>& a, const Mat<T>& b, T w) {
    for (Index j = 0; j < a.cols(); ++j)
      for (Index i = 0; i < a.rows(); ++i) a(i, j) = lerp(a(i, j), b(i, j), w);
  }

  void block_step(BlockState& s, T* x, const T* g, T lr) const {
    const Block& b = s.block;
    const Block view = as_matrix(b);
    s.g = matrix_view(g, view);
    const T sb = shampoo_beta();
    if (!s.started) {  // the first call builds the bases and takes no step
      s.started = true;
      if (!b.matrix) return;
      s.left.setZero();
      s.right.setZero();
      lerp_into(s.left, s.g * s.g.transpose(), T(1) - sb);
      lerp_into(s.right, s.g.transpose() * s.g, T(1) - sb);
      s.q_left = eigenbasis(s.left, b);
      s.q_right = eigenbasis(s.right, b);
      return;
    }
    if (b.matrix) s.work.noalias() = s.q_left.transpose() * s.g * s.q_right;
    const Mat<T>& projected = b.matrix ? s.work : s.g;
    ++s.n;
    const T b1 = T(c_.beta1), b2 = T(c_.beta2);
    s.m = s.m * b1 + (T(1) - b1) * projected;
    s.v = s.v * b2 + (T(1) - b2) * projected.cwiseProduct(projected);
    const T bc1 = T(1) - T(std::pow(c_.beta1, double(s.n)));
    const T bc2 = T(1) - T(std::pow(c_.beta2, double(s.n)));
    const T step_size = lr * std::sqrt(bc2) / bc1;
    Mat<T> normalized = s.m.cwiseQuotient((s.v.cwiseSqrt().array() + T(c_.eps)).matrix());
    if (b.matrix) normalized = s.q_left * normalized * s.q_right.transpose();
    auto P = matrix_view(x, view);
    P += -step_size * normalized;
    if (c_.weight_decay > 0) P += P * (-lr * T(c_.weight_decay));
    if (!b.matrix) return;
    s.m = s.q_left * s.m * s.q_right.transpose();
    lerp_into(s.left, s.g * s.g.transpose(), T(1) - sb);
    lerp_into(s.right, s.g.transpose() * s.g, T(1) - sb);
    if (s.n % c_.precondition_frequency == 0) {
      refresh(s.left, s.q_left, s.v, true);
      refresh(s.right, s.q_right, s.v, false);
    }
    s.m = s.q_left.transpose() * s.m * s.q_right;
  }

  Config c_;
  std::vector<BlockState> blocks_;
};

}  // namespace descent
