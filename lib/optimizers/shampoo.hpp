// Shampoo (Gupta, Koren & Singer 2018, Algorithm 1): a Kronecker-factored preconditioner per
// matrix block. For a block P (R × C) with gradient G and η_t the step's rate:
//
//   L_0 = ε I_R,  R_0 = ε I_C
//   L_t = L_{t−1} + G_t G_tᵀ,   R_t = R_{t−1} + G_tᵀ G_t
//   P_t = P_{t−1} − η_t L_t^{−1/4} G_t R_t^{−1/4}
//
// with A^{−1/4} = Q diag(λ^{−1/4}) Qᵀ from the symmetric eigendecomposition A = Q diag(λ) Qᵀ. A
// vector block has the single preconditioner of the paper's order-k rule with k = 1:
// H_t = ε I + Σ g_s g_sᵀ and θ_t = θ_{t−1} − η_t H_t^{−1/2} g_t. `update_every` = k recomputes
// the roots at steps 1, k + 1, 2k + 1, ... and reuses them in between (the statistics grow every
// step), as practical Shampoo does; k = 1 is Algorithm 1.
//
// How the reference differs from the paper and other implementations: info().differences.
#pragma once

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"
#include "lib/optimizers/blocks.hpp"

namespace descent {

struct ShampooConfig {
  double lr, eps;
  int update_every;
  static Fields<ShampooConfig> fields() {
    using C = ShampooConfig;
    return {required_key(&C::lr, "lr", "step size η (the paper gives none)", Range::positive),
            required_key(&C::eps, "eps", "ε of L_0 = ε I and R_0 = ε I", Range::positive),
            int_key(&C::update_every, "update_every", "1", "recompute the roots every k steps",
                    Range::at_least_one)};
  }
};

template <class T>
class Shampoo {
 public:
  using Config = ShampooConfig;
  Shampoo(const Config& c, const Layout& layout) : c_(c) {
    for (const Block& b : layout) blocks_.emplace_back(b);
    reset();
  }

  static OptimizerInfo info() {
    return {.name = "shampoo",
            .summary = "Shampoo: Kronecker-factored preconditioner L^(−1/4) G R^(−1/4) (paper)",
            .equations =
                "L_t = L_{t−1} + G_t G_tᵀ, R_t = R_{t−1} + G_tᵀ G_t (L_0 = ε I, R_0 = ε I)\n"
                "P_t = P_{t−1} − η L_t^{−1/4} G_t R_t^{−1/4} (roots by eigendecomposition, "
                "every update_every steps)\n"
                "vector blocks: H_t = H_{t−1} + g_t g_tᵀ, θ_t = θ_{t−1} − η H_t^{−1/2} g_t",
            .reference = "Gupta, Koren & Singer 2018, Algorithm 1",
            .differences =
                "Written from the paper (Algorithm 1): public torch implementations use exponent "
                "−1/2 on each side, add momentum and run in float32; Distributed Shampoo adds "
                "grafting, moving-average statistics and infrequent roots.",
            .own_weight_decay = false,
            .blocks = BlockUse::matrix,
            .words_per_param = 3};  // reads P, G; writes P (plus the preconditioners)
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    const bool refresh = t_ % c_.update_every == 0;
    ++t_;
    const T lr = T(c_.lr) * lr_scale;
    for (BlockState& s : blocks_) {
      if (s.block.matrix)
        matrix_step(s, x.data(), g.data(), lr, refresh);
      else
        vector_step(s, x.data(), g.data(), lr, refresh);
    }
  }

  void reset() {
    for (BlockState& s : blocks_) {
      s.left.setIdentity();
      s.left *= T(c_.eps);
      s.right.setIdentity();
      s.right *= T(c_.eps);
    }
    t_ = 0;
  }

 private:
  // For a vector block only `left` (H) and its root are used.
  struct BlockState {
    explicit BlockState(const Block& b)
        : block(b),
          left(b.rows, b.rows),
          right(b.matrix ? b.cols : 0, b.matrix ? b.cols : 0),
          left_root(left.rows(), left.cols()),
          right_root(right.rows(), right.cols()),
          g(b.rows, b.cols),
          lg(b.rows, b.cols),
          update(b.rows, b.cols),
          eig(b.rows),
          eig_right(b.matrix ? b.cols : 0) {}
    Block block;
    Mat<T> left, right, left_root, right_root, g, lg, update;
    Eigen::SelfAdjointEigenSolver<Mat<T>> eig, eig_right;
  };

  // A^power = Q diag(λ^power) Qᵀ, computed as (Q diag(λ^power)) Qᵀ as the reference does.
  static void inverse_root(const Mat<T>& a, T power, Eigen::SelfAdjointEigenSolver<Mat<T>>& eig,
                           Mat<T>& out, const Block& b) {
    eig.compute(a);
    if (eig.info() != Eigen::Success)
      throw NumericalError(fmt::format(
          "shampoo: the eigendecomposition of block {}'s preconditioner failed", b.name));
    const auto& q = eig.eigenvectors();
    const Vec<T> scale = eig.eigenvalues().array().pow(power).matrix();
    if (!scale.allFinite())
      throw NumericalError(
          fmt::format("shampoo: block {}'s preconditioner has a non-finite inverse root", b.name));
    out.noalias() = (q * scale.asDiagonal()) * q.transpose();
  }

  void matrix_step(BlockState& s, T* x, const T* g, T lr, bool refresh) const {
    s.g = matrix_view(g, s.block);
    s.left.noalias() += s.g * s.g.transpose();
    s.right.noalias() += s.g.transpose() * s.g;
    if (refresh) {
      inverse_root(s.left, T(-0.25), s.eig, s.left_root, s.block);
      inverse_root(s.right, T(-0.25), s.eig_right, s.right_root, s.block);
    }
    s.lg.noalias() = s.left_root * s.g;
    s.update.noalias() = s.lg * s.right_root;
    matrix_view(x, s.block) -= lr * s.update;
  }

  void vector_step(BlockState& s, T* x, const T* g, T lr, bool refresh) const {
    s.g = vector_view(g, s.block);
    s.left.noalias() += s.g * s.g.transpose();
    if (refresh) inverse_root(s.left, T(-0.5), s.eig, s.left_root, s.block);
    s.update.noalias() = s.left_root * s.g;
    vector_view(x, s.block) -= lr * s.update.col(0);
  }

  Config c_;
  std::vector<BlockState> blocks_;
  long t_ = 0;
};

}  // namespace descent
