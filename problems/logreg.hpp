// Binary logistic regression: mean cross-entropy plus an L2 penalty on the weights.
//
//   f(w, b) = (1/n) Σ_i [log(1 + e^{z_i}) − y_i z_i] + (l2/2)|w|²,   z_i = x_iᵀw + b, y_i ∈ {0, 1}
//   ∇_w f = (1/n) Xᵀ(σ(z) − y) + l2 w,   ∂_b f = mean(σ(z) − y)   (the bias is not decayed)
//   ∇²f = (1/n) X̃ᵀ diag(σ(z)(1 − σ(z))) X̃ + l2 diag(1, ..., 1, 0),   X̃ = [X 1]
//
// Parameters (w, b), d + 1 of them. Start point: 0 (f = log 2). f*: with l2 > 0, minimized by
// Newton's method on the training part when the instance is built (|∇f| ≤ 1e-10; only for
// d + 1 ≤ 2000, as the dense solve costs (d+1)³); with
// l2 = 0 a minimizer need not exist (separable data) and f* is unknown. Data, split,
// standardization: problems/data.hpp.
#pragma once

#include <fmt/format.h>

#include "lib/problem.hpp"
#include "problems/classifier.hpp"

namespace descent {

class LogReg final : public Classifier {
 public:
  static constexpr Index kNewtonMaxDim = 2000;

  static ProblemInfo info() {
    std::vector<Key> keys = data_keys("breast_cancer", {l2_key("1e-3")});
    return {"logreg", "binary logistic regression (convex; f* by Newton)",
            "mean_i [log(1 + e^{z_i}) − y_i z_i] + l2/2 ‖w‖², z_i = x_iᵀw + b, y ∈ "
            "{0, 1}; needs 2 classes\nstart: 0\nf*: Newton, when l2 > 0 and d + 1 ≤ 2000",
            std::move(keys)};
  }

  LogReg(const Params& p, std::uint64_t seed)
      : Classifier(binary(load_data(p, seed, 2), p), 0),  // L1-sized chunks
        l2_(p.real("l2")),
        work_(chunk_rows()),
        work_f_(chunk_rows()) {
    // Newton's dense solve costs (d+1)³ (over a minute at d = 6000): bounded like softmax's.
    if (l2_ > 0 && dim() <= kNewtonMaxDim) find_optimum(MatX());
  }

  Index dim() const override { return features() + 1; }
  VecX initial_point(std::uint64_t) const override { return VecX::Zero(dim()); }
  bool has_hessian() const override { return true; }
  void hessian(VecIn x, Eigen::Ref<MatX> h) const override {
    const Dataset& t = data().train;
    const Index d = features(), chunk = 512;
    MatX rows(chunk, d + 1);  // √s_i x̃_iᵀ, s = σ(1 − σ)
    VecX z(chunk);
    h.setZero();
    for (Index s = 0; s < t.rows(); s += chunk) {
      const Index b = std::min(chunk, t.rows() - s);
      z.head(b).noalias() = t.x.middleRows(s, b) * x.head(d);
      const auto e = (-(z.head(b).array() + x[d]).abs()).exp();
      z.head(b) = (e.sqrt() / (1 + e)).matrix();
      rows.topLeftCorner(b, d) = t.x.middleRows(s, b).array().colwise() * z.head(b).array();
      rows.col(d).head(b) = z.head(b);
      h.selfadjointView<Eigen::Lower>().rankUpdate(rows.topRows(b).transpose());
    }
    h.triangularView<Eigen::StrictlyUpper>() = h.transpose();
    h /= double(t.rows());
    h.diagonal().head(d).array() += l2_;
  }

 protected:
  Layout blocks() const override {
    return {vector_block("w", 0, features()), vector_block("b", features(), 1)};
  }

  double chunk_loss(VecIn x, RowsIn X, LabelsIn y, double* g, Index* correct, Rng*,
                    std::span<const double> next) const override {
    return chunk(x, X, y, g, correct, next, work_);
  }
  double chunk_loss(VecInF x, RowsInT<float> X, LabelsIn y, float* g, Index* correct, Rng*,
                    std::span<const float> next) const override {
    return chunk(x, X, y, g, correct, next, work_f_);
  }
  double penalty(VecIn x, double* g) const override { return l2_penalty(x, g); }
  double penalty(VecInF x, float* g) const override { return l2_penalty(x, g); }

 private:
  // Per-chunk scratch: a Problem instance is not thread-safe.
  template <class T>
  struct Work {
    explicit Work(Index rows) : z(rows), e(rows), l(rows) {}
    VecT<T> z, e, l;
  };

  // Memory-bound: X is read once. A chunk (≈ 12 KiB) stays in L1 from its dot products to the
  // gradient's product, and the dot-product loop prefetches the next chunk, so the memory
  // stream does not pause while the chunk is being computed on.
  template <class T>
  double chunk(Eigen::Ref<const VecT<T>> x, RowsInT<T> X, LabelsIn y, T* g, Index* correct,
               std::span<const T> next, Work<T>& work) const {
    const Index b = X.rows(), d = X.cols();
    auto z = work.z.head(b);
    auto e = work.e.head(b);
    auto l = work.l.head(b);
    const char* ahead = reinterpret_cast<const char*>(next.data());
    const auto lines = Index(next.size() * sizeof(T) / 64);
    const Index per_row = (lines + b - 1) / b;
    const auto w = x.head(d);
    for (Index i = 0, line = 0; i < b; ++i) {
      for (Index k = 0; k < per_row && line < lines; ++k, ++line)
        __builtin_prefetch(ahead + 64 * line, 0, 3);
      z[i] = X.row(i).dot(w);
    }
    z.array() += x[d];
    // log(1 + e^z) = max(z, 0) + log1p(e^{−|z|})
    e = (-z.array().abs()).exp();
    log1p_unit(e.data(), l.data(), b);
    const auto yt = y.cast<T>().array();
    const double sum = sum_of((z.array().max(T(0)) + l.array() - yt * z.array()));
    if (correct) *correct += ((z.array() > 0).template cast<int>() == y.array()).count();
    if (g) {
      e = ((z.array() >= 0).select(T(1), e.array()) / (1 + e.array()) - yt).matrix();  // σ − y
      Eigen::Map<VecT<T>>(g, d).noalias() += X.transpose() * e;
      g[d] += e.sum();
    }
    return sum;
  }
  template <class T>
  double l2_penalty(Eigen::Ref<const VecT<T>> x, T* g) const {
    if (l2_ == 0) return 0;  // without a penalty, no pass over the weights
    const Index d = features();
    if (g) Eigen::Map<VecT<T>>(g, d) += T(l2_) * x.head(d);
    return 0.5 * l2_ * squared_norm_of(x.head(d));
  }

  static Split binary(Split s, const Params& p) {
    if (s.train.classes != 2)
      throw UsageError(
          fmt::format("problem spec '{}': logreg needs 2 classes, data '{}' has {} "
                      "(use softmax)",
                      p.canonical(), p.text("data"), s.train.classes));
    return s;
  }

  double l2_;
  mutable Work<double> work_;
  mutable Work<float> work_f_;
};

}  // namespace descent
