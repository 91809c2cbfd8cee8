// Multinomial logistic (softmax) regression: mean cross-entropy plus an L2 penalty.
//
//   f(W, b) = (1/n) Σ_i [log Σ_k e^{z_ik} − z_{i,y_i}] + (l2/2)|W|²,   z_i = Wᵀx_i + b
//   ∇_W f = (1/n) Xᵀ(P − Y) + l2 W,   ∇_b f = (1/n) (P − Y)ᵀ1   (the bias is not decayed)
//   ∇²f: block (k, l) = (1/n) X̃ᵀ diag(p_k ⊙ (δ_kl − p_l)) X̃ + δ_kl l2 diag(1, ..., 1, 0)
//
// P the row-wise softmax of Z, Y the one-hot labels, X̃ = [X 1]. Parameters: K columns
// (w_k, b_k), (d+1)·K in all. All K columns are kept, so f is constant along one shift of all
// biases; the Hessian is singular in that direction. Start point: 0 (f = log K). f*: with
// l2 > 0 and (d+1)·K ≤ 2000, minimized by Newton's method (full Hessian, the bias shift held
// out) on the training part when the instance is built; otherwise unknown.
#pragma once

#include "lib/problem.hpp"
#include "problems/classifier.hpp"

namespace descent {

class Softmax final : public Classifier {
 public:
  static constexpr Index kNewtonMaxDim = 2000;
  static constexpr Index kChunk = 256;  // rows per chunk: products large enough for GEMM

  static ProblemInfo info() {
    std::vector<Key> keys = data_keys("digits", {l2_key("1e-3")});
    return {"softmax", "multinomial logistic regression (convex; f* by Newton)",
            "mean_i [log Σ_k e^{z_ik} − z_{i,y_i}] + l2/2 ‖W‖², z_i = Wᵀx_i + b "
            "(all K columns kept)\nstart: 0\nf*: Newton, when l2 > 0 and (d+1)K ≤ "
            "2000",
            std::move(keys)};
  }

  Softmax(const Params& p, std::uint64_t seed)
      : Classifier(load_data(p, seed, 3), kChunk),
        l2_(p.real("l2")),
        work_(chunk_rows(), classes()),
        work_f_(chunk_rows(), classes()) {
    if (l2_ <= 0 || dim() > kNewtonMaxDim) return;
    MatX flat = MatX::Zero(dim(), 1);  // the shift of all biases
    for (int k = 0; k < classes(); ++k) flat((features() + 1) * k + features(), 0) = 1;
    flat /= flat.norm();
    find_optimum(flat);
  }

  Index dim() const override { return (features() + 1) * classes(); }
  VecX initial_point(std::uint64_t) const override { return VecX::Zero(dim()); }
  bool has_hessian() const override { return true; }
  void hessian(VecIn x, Eigen::Ref<MatX> h) const override {
    const Dataset& t = data().train;
    const Index d = features(), d1 = d + 1, K = classes();
    MatX xt(chunk_rows(), d1), xw(chunk_rows(), d1);
    h.setZero();
    for (Index s = 0; s < t.rows(); s += chunk_rows()) {
      const Index b = std::min(chunk_rows(), t.rows() - s);
      auto z = work_.z.topRows(b);
      logits<double>(x, t.x.middleRows(s, b), z);
      softmax_xent<double>(z, t.y.segment(s, b), true, nullptr, work_.m, work_.s);  // z = P − Y
      for (Index i = 0; i < b; ++i) z(i, t.y[s + i]) += 1;                          // z = P
      xt.topLeftCorner(b, d) = t.x.middleRows(s, b);
      xt.col(d).head(b).setOnes();
      for (Index k = 0; k < K; ++k) {
        for (Index l = k; l < K; ++l) {
          const auto w = z.col(k).array() * (double(k == l) - z.col(l).array());
          xw.topRows(b) = xt.topRows(b).array().colwise() * w;
          h.block(k * d1, l * d1, d1, d1).noalias() += xt.topRows(b).transpose() * xw.topRows(b);
        }
      }
    }
    for (Index k = 0; k < K; ++k)
      for (Index l = k + 1; l < K; ++l)
        h.block(l * d1, k * d1, d1, d1) = h.block(k * d1, l * d1, d1, d1).transpose();
    h /= double(t.rows());
    for (Index k = 0; k < K; ++k) h.diagonal().segment(k * d1, d).array() += l2_;
  }

 protected:
  // The (d + 1) × K column-major parameters: W (K × d, one row per class) and b interleaved.
  Layout blocks() const override {
    const Index d = features(), k = classes();
    return {matrix_block("W", 0, k, d, d + 1), vector_block("b", d, k, d + 1)};
  }

  double chunk_loss(VecIn x, RowsIn X, LabelsIn y, double* g, Index* correct, Rng*,
                    std::span<const double>) const override {
    return chunk(x, X, y, g, correct, work_);
  }
  double chunk_loss(VecInF x, RowsInT<float> X, LabelsIn y, float* g, Index* correct, Rng*,
                    std::span<const float>) const override {
    return chunk(x, X, y, g, correct, work_f_);
  }
  double penalty(VecIn x, double* g) const override { return l2_penalty(x, g); }
  double penalty(VecInF x, float* g) const override { return l2_penalty(x, g); }

 private:
  // Per-chunk scratch: a Problem instance is not thread-safe.
  template <class T>
  struct Work {
    Work(Index rows, Index classes) : z(rows, classes), m(rows), s(rows) {}
    MatT<T> z;
    VecT<T> m, s;
  };

  template <class T>
  double chunk(Eigen::Ref<const VecT<T>> x, RowsInT<T> X, LabelsIn y, T* g, Index* correct,
               Work<T>& work) const {
    const Index b = X.rows(), d = X.cols();
    auto z = work.z.topRows(b);
    logits(x, X, z);
    const double sum = softmax_xent<T>(z, y, g != nullptr, correct, work.m, work.s);
    if (g) {
      Eigen::Map<MatT<T>> gw(g, d + 1, classes());
      gw.topRows(d).noalias() += X.transpose() * z;
      gw.row(d) += z.colwise().sum();
    }
    return sum;
  }
  template <class T>
  double l2_penalty(Eigen::Ref<const VecT<T>> x, T* g) const {
    if (l2_ == 0) return 0;  // without a penalty, no pass over the weights
    const Index d = features();
    Eigen::Map<const MatT<T>> w(x.data(), d + 1, classes());
    if (g) Eigen::Map<MatT<T>>(g, d + 1, classes()).topRows(d) += T(l2_) * w.topRows(d);
    return 0.5 * l2_ * squared_norm_of(w.topRows(d));
  }
  template <class T, class Z>
  void logits(Eigen::Ref<const VecT<T>> x, RowsInT<T> X, Z& z) const {
    const Index d = X.cols();
    Eigen::Map<const MatT<T>> w(x.data(), d + 1, classes());
    z.noalias() = X * w.topRows(d);
    z.rowwise() += w.row(d);
  }

  double l2_;
  mutable Work<double> work_;
  mutable Work<float> work_f_;
};

}  // namespace descent
