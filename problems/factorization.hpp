// Low-rank matrix factorization (Burer & Monteiro 2003; its landscape: Ge, Jin & Zheng 2017):
//
//   f(U, V) = ½ ‖U Vᵀ − M‖_F² / (m n),   U ∈ R^{m×k}, V ∈ R^{n×k},
//   ∇_U f = R V / (m n),   ∇_V f = Rᵀ U / (m n),   R = U Vᵀ − M
//
// M = A diag(σ) Bᵀ is m × n of rank r, drawn from the instance seed: A (m × r) and B (n × r)
// have Haar-random orthonormal columns (thin QR of Gaussian matrices), and the singular values
// are log-spaced, σ_i = c · cond^(−(i−1)/(r−1)), i = 1..r (σ_1 / σ_r = cond; σ_1 = c when
// r = 1), with c chosen so that ‖M‖_F² = Σ σ_i² = m n: M's entries have mean square 1, and
// f(0) = ½. The factor rank k (key `k`, 0 meaning k = r) may be below, at or above r.
//
// Parameters: x = (U row-major, then V row-major), two matrix blocks "U" (m × k) and "V"
// (n × k), dim = (m + n) k. Hessian, for a step (dU, dV):
//   ∇²f[dU, dV]² = (‖dU Vᵀ + U dVᵀ‖_F² + 2 ⟨R, dU dVᵀ⟩) / (m n),
// i.e. ∂²f/∂U_ia∂U_i'a' = δ_ii' (VᵀV)_aa' / (m n), ∂²f/∂V_jb∂V_j'b' = δ_jj' (UᵀU)_bb' / (m n) and
// ∂²f/∂U_ia∂V_jb = (U_ib V_ja + R_ij δ_ab) / (m n).
//
// U = V = 0 is a strict saddle: the gradient vanishes, and the Hessian there has only the
// U–V block −M ⊗ I_k / (m n), whose eigenvalues are ±σ_i / (m n) (each k times, zeros for the
// rest): negative curvature −σ_1 / (m n). Start point: next to it, U and V entries
// N(0, init²) drawn from the run's start seed (init = 0 starts on the saddle itself).
// f* (Eckart–Young): ½ Σ_{i>k} σ_i² / (m n), reached at any U Vᵀ equal to M's best rank-k
// approximation (0 when k >= r); every local minimum is global (Ge, Jin & Zheng 2017).
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "lib/limits.hpp"
#include "lib/problem.hpp"
#include "problems/linalg.hpp"

namespace descent {

class Factorization final : public Problem {
 public:
  static ProblemInfo info() {
    return {"factorization",
            "low-rank matrix factorization: non-convex, strict saddle at 0",
            "½ ‖U Vᵀ − M‖_F² / (m n), U m×k, V n×k (x = U, V row-major; k = `rank` when "
            "`k=0`); M = A diag(σ) Bᵀ of rank r from the instance seed, A, B with random "
            "orthonormal columns, σ_i ∝ cond^(−(i−1)/(r−1)) scaled to ‖M‖_F² = m n; U = V = 0 "
            "is a strict saddle\nstart: U, V entries N(0, init²) from the run's seed (next to the "
            "saddle)\nf*: ½ Σ_{i>k} σ_i² / (m n) (Eckart–Young; 0 when k ≥ r)",
            {size_key("m", "32", "rows of M and U", limits::features, "features"),
             size_key("n", "32", "rows of V (columns of M)", limits::features, "features"),
             int_key("rank", "4", "r: rank of M, <= min(m, n)", Range::at_least_one),
             int_key("k", "0", "factor rank (columns of U and V); 0: k = r", Range::nonnegative),
             real_key("cond", "10", "σ_1 / σ_r, the condition number of M (unused when r = 1)",
                      Range::at_least_one),
             real_key("init", "1e-2", "standard deviation of the start's entries",
                      Range::nonnegative)}};
  }

  Factorization(const Params& p, std::uint64_t seed)
      : m_(p.integer("m")),
        n_(p.integer("n")),
        r_(p.integer("rank")),
        k_(p.integer("k") == 0 ? r_ : p.integer("k")),
        init_(p.real("init")),
        scale_(1.0 / (double(m_) * double(n_))) {
    if (r_ > std::min(m_, n_))
      throw UsageError(
          fmt::format("problem spec '{}': key 'rank' must be <= min(m, n)", p.canonical()));
    if (k_ < 1)  // unreachable through the key table (k >= 0, rank >= 1); kept as the invariant
      throw UsageError(fmt::format("problem spec '{}': key 'k' must be >= 1", p.canonical()));
    check_size(double(m_) * double(n_), limits::dense_entries, "dense_entries",
               fmt::format("problem spec '{}': M's m × n entries", p.canonical()));
    check_size(double(m_ + n_) * double(k_), limits::parameters, "parameters",
               fmt::format("problem spec '{}': (m + n) k parameters", p.canonical()));
    const double cond = p.real("cond");
    sigma_.resize(r_);
    for (Index i = 0; i < r_; ++i)
      sigma_[i] = r_ == 1 ? 1.0 : std::pow(cond, -double(i) / double(r_ - 1));
    sigma_ *= std::sqrt(double(m_) * double(n_)) / sigma_.norm();  // ‖M‖_F² = Σ σ_i² = m n
    Rng rng(seed);
    const MatX a = random_orthonormal(m_, r_, rng), b = random_orthonormal(n_, r_, rng);
    target_ = a * sigma_.asDiagonal() * b.transpose();
    residual_.resize(m_, n_);
  }

  Index dim() const override { return (m_ + n_) * k_; }
  VecX initial_point(std::uint64_t seed) const override {
    Rng rng(seed);
    VecX x(dim());
    for (Index i = 0; i < x.size(); ++i) x[i] = init_ * rng.normal();
    return x;
  }
  double loss(VecIn x) const override {
    residual_.noalias() = u(x) * v(x).transpose();
    residual_ -= target_;
    return 0.5 * scale_ * residual_.squaredNorm();
  }
  double loss_grad(VecIn x, VecOut g) const override {
    const double f = loss(x);  // leaves R in residual_
    RowMap(g.data(), m_, k_).noalias() = scale_ * (residual_ * v(x));
    RowMap(g.data() + m_ * k_, n_, k_).noalias() = scale_ * (residual_.transpose() * u(x));
    return f;
  }
  std::optional<double> optimum() const override {
    // Eckart–Young: the best rank-k approximation keeps the k largest singular values.
    return 0.5 * scale_ * (k_ >= r_ ? 0.0 : sigma_.tail(r_ - k_).squaredNorm());
  }
  bool has_hessian() const override { return true; }
  void hessian(VecIn x, Eigen::Ref<MatX> h) const override {
    const auto U = u(x), V = v(x);
    residual_.noalias() = U * V.transpose();
    residual_ -= target_;
    const MatX vtv = scale_ * (V.transpose() * V), utu = scale_ * (U.transpose() * U);
    const Index off = m_ * k_;  // V's offset
    h.setZero();
    for (Index i = 0; i < m_; ++i) h.block(i * k_, i * k_, k_, k_) = vtv;
    for (Index j = 0; j < n_; ++j) h.block(off + j * k_, off + j * k_, k_, k_) = utu;
    for (Index i = 0; i < m_; ++i)
      for (Index j = 0; j < n_; ++j) {
        // (a, b) entry: (U_ib V_ja + R_ij δ_ab) / (m n).
        auto uv = h.block(i * k_, off + j * k_, k_, k_);
        uv.noalias() = scale_ * (V.row(j).transpose() * U.row(i));
        uv.diagonal().array() += scale_ * residual_(i, j);
        h.block(off + j * k_, i * k_, k_, k_) = uv.transpose();
      }
  }

  // M's singular values σ_1 ≥ … ≥ σ_r, and M itself (for tests).
  const VecX& singular_values() const { return sigma_; }
  const MatX& target() const { return target_; }
  Index factor_rank() const { return k_; }

 protected:
  Layout blocks() const override {
    return {matrix_block("U", 0, m_, k_, k_), matrix_block("V", m_ * k_, n_, k_, k_)};
  }

 private:
  using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using RowMap = Eigen::Map<RowMat>;
  using ConstRowMap = Eigen::Map<const RowMat>;
  ConstRowMap u(VecIn x) const { return ConstRowMap(x.data(), m_, k_); }
  ConstRowMap v(VecIn x) const { return ConstRowMap(x.data() + m_ * k_, n_, k_); }

  Index m_, n_, r_, k_;
  double init_, scale_;
  VecX sigma_;
  MatX target_;            // M
  mutable MatX residual_;  // R = U Vᵀ − M, scratch
};

}  // namespace descent
