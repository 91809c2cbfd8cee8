// Adafactor (Shazeer & Stern 2018) as huggingface/transformers' `Adafactor` (ad1fc963) with
// relative_step=False, warmup_init=False: the second moment of a matrix block is kept as its row
// and column means only. Per block, with t counting steps, η_t the step's rate:
//
//   ρ_t = η_t · max(ε2, RMS(x_{t−1})) with scale_parameter=1, else η_t; RMS(a) = ‖a‖_2/√numel
//   β̂2_t = 1 − t^decay_rate (0 at t = 1);  V_t = G_t² + ε1
//   matrix (R × C): r_t = β̂2_t r_{t−1} + (1 − β̂2_t) rowmean(V_t),
//                   c_t = β̂2_t c_{t−1} + (1 − β̂2_t) colmean(V_t),
//                   U_t = G_t ⊙ (1/√(r_t / mean(r_t))) (1/√c_t)ᵀ
//   vector:         v_t = β̂2_t v_{t−1} + (1 − β̂2_t) V_t,   U_t = G_t / √v_t
//   U_t ← ρ_t U_t / max(1, RMS(U_t) / clip_threshold)
//   with beta1 given: m_t = β1 m_{t−1} + (1 − β1) U_t and U_t ← m_t
//   x_t = x_{t−1} − λ ρ_t x_{t−1} − U_t
//
// How the reference differs from the paper and other implementations: info().differences.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <vector>

#include "lib/config.hpp"
#include "lib/optimizer.hpp"
#include "lib/optimizers/blocks.hpp"

namespace descent {

struct AdafactorConfig {
  double lr, eps1, eps2, clip_threshold, decay_rate;
  std::optional<double> beta1;
  double weight_decay;
  bool scale_parameter;
  static Fields<AdafactorConfig> fields() {
    using C = AdafactorConfig;
    return {
        required_key(&C::lr, "lr", "step size η (the reference requires it)", Range::positive),
        real_key(&C::eps1, "eps1", "1e-30", "ε1, added to G²", Range::positive),
        real_key(&C::eps2, "eps2", "1e-3", "ε2, the least parameter scale", Range::positive),
        real_key(&C::clip_threshold, "clip_threshold", "1", "d: clip RMS(U) to this",
                 Range::positive),
        real_key(&C::decay_rate, "decay_rate", "-0.8", "β̂2_t = 1 − t^decay_rate"),
        optional_key(&C::beta1, "beta1", "first-moment decay β1 (unset: no first moment)",
                     Range::unit_open),
        real_key(&C::weight_decay, "weight_decay", "0", "decay λ: x ← x − λ ρ_t x",
                 Range::nonnegative),
        flag_key(&C::scale_parameter, "scale_parameter", "1", "scale the rate by max(ε2, RMS(x))")};
  }
  void check() const {
    if (decay_rate >= 0)
      throw UsageError(
          fmt::format("optimizer 'adafactor': key 'decay_rate' must be < 0 (got {})", decay_rate));
  }
};

template <class T>
class Adafactor {
 public:
  using Config = AdafactorConfig;
  Adafactor(const Config& c, const Layout& layout) : c_(c) {
    for (const Block& b : layout) blocks_.emplace_back(b, c.beta1.has_value());
  }

  static OptimizerInfo info() {
    return {
        .name = "adafactor",
        .summary = "Adafactor: second moment factored by rows and columns (transformers)",
        .equations =
            "ρ_t = η max(ε2, RMS(x_{t−1})); β̂2_t = 1 − t^decay_rate; V_t = G_t² + ε1\n"
            "matrix: r_t, c_t = β̂2_t-averages of rowmean(V_t), colmean(V_t); "
            "U_t = G_t ⊙ (r_t / mean(r_t))^(−½) c_tᵀ^(−½)\n"
            "vector: v_t = β̂2_t v_{t−1} + (1 − β̂2_t) V_t, U_t = G_t / √v_t\n"
            "U_t ← ρ_t U_t / max(1, RMS(U_t)/d); (β1: U_t ← m_t = β1 m_{t−1} + (1 − β1) U_t); "
            "x_t = x_{t−1} − λ ρ_t x_{t−1} − U_t",
        .reference = "Shazeer & Stern 2018; huggingface/transformers Adafactor",
        .differences =
            "The paper's relative step and warm-up (the reference's relative_step=True) are not "
            "offered; optax's `adafactor` factors only dimensions ≥ 128 and keeps a small matrix's "
            "full second moment, which this and the reference factor whatever their size.",
        .own_weight_decay = true,
        .blocks = BlockUse::any,
        .words_per_param = 5};  // reads x, g (twice), writes x, and the update's scratch
  }

  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) {
    ++t_;
    const T beta2t = T(1) - T(std::pow(double(t_), c_.decay_rate));
    const T lr = T(c_.lr) * lr_scale;
    for (BlockState& s : blocks_) block_step(s, x.data(), g.data(), lr, beta2t);
  }

  void reset() {
    for (BlockState& s : blocks_) {
      s.row.setZero();
      s.col.setZero();
      s.m.setZero();
    }
    t_ = 0;
  }

 private:
  // A matrix keeps its row and column statistics; a vector its full second moment (in `row`).
  struct BlockState {
    BlockState(const Block& b, bool first_moment)
        : block(b),
          row(Vec<T>::Zero(b.rows)),
          col(Vec<T>::Zero(b.matrix ? b.cols : 0)),
          colsum(col.size()),
          m(RowMatrix<T>::Zero(first_moment ? b.rows : 0, first_moment ? b.cols : 0)),
          u(b.rows, b.cols),
          p(b.rows, b.cols) {}
    Block block;
    Vec<T> row, col, colsum;
    RowMatrix<T> m, u, p;  // row-major, as the block
  };

  static T rms(const RowMatrix<T>& a) { return a.norm() / std::sqrt(T(a.size())); }

  void block_step(BlockState& s, T* x, const T* g, T lr, T beta2t) const {
    const Block& b = s.block;
    const auto G = matrix_view(g, as_matrix(b));
    auto P = matrix_view(x, as_matrix(b));
    RowMatrix<T>& p = s.p;  // the parameters before the step, for RMS(x)
    p = P;
    const T rho = c_.scale_parameter ? lr * std::max(T(c_.eps2), rms(p)) : lr;
    const T eps1 = T(c_.eps1);
    if (b.matrix) {
      for (Index i = 0; i < G.rows(); ++i) {
        T mean = 0;
        for (Index j = 0; j < G.cols(); ++j) mean += G(i, j) * G(i, j) + eps1;
        s.row[i] = beta2t * s.row[i] + (T(1) - beta2t) * (mean / T(G.cols()));
      }
      // Column sums row by row (the block is row-major): each column still sums i = 0, 1, ...
      s.colsum.setZero();
      for (Index i = 0; i < G.rows(); ++i)
        for (Index j = 0; j < G.cols(); ++j) s.colsum[j] += G(i, j) * G(i, j) + eps1;
      for (Index j = 0; j < G.cols(); ++j) {
        s.col[j] = beta2t * s.col[j] + (T(1) - beta2t) * (s.colsum[j] / T(G.rows()));
        s.colsum[j] = T(1) / std::sqrt(s.col[j]);  // reused: the column factor
      }
      const T row_mean = s.row.mean();
      for (Index i = 0; i < G.rows(); ++i) {
        const T r = T(1) / std::sqrt(s.row[i] / row_mean);
        for (Index j = 0; j < G.cols(); ++j) s.u(i, j) = (r * s.colsum[j]) * G(i, j);
      }
    } else {
      for (Index i = 0; i < G.rows(); ++i) {
        s.row[i] = beta2t * s.row[i] + (T(1) - beta2t) * (G(i, 0) * G(i, 0) + eps1);
        s.u(i, 0) = (T(1) / std::sqrt(s.row[i])) * G(i, 0);
      }
    }
    s.u /= std::max(T(1), rms(s.u) / T(c_.clip_threshold));
    s.u *= rho;
    if (c_.beta1) {
      const T b1 = T(*c_.beta1);
      s.m = b1 * s.m + (T(1) - b1) * s.u;
      s.u = s.m;
    }
    if (c_.weight_decay != 0) P += p * (-T(c_.weight_decay) * rho);
    P -= s.u;
  }

  Config c_;
  std::vector<BlockState> blocks_;
  long t_ = 0;
};

}  // namespace descent
