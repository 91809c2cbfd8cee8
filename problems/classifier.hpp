// The base of the classification problems (logreg, softmax, mlp), which turns a per-chunk loss
// kernel into full-batch, mini-batch and test-set evaluations, and the numerical kernels the
// models share.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <optional>
#include <span>
#include <type_traits>

#include "lib/problem.hpp"
#include "problems/datasets.hpp"

namespace descent {

template <class T>
using VecT = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <class T>
using MatT = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

// Σ of an expression's entries, and its squared norm, in double: a float expression's entries
// are converted first (float32 runs report losses accumulated in double).
template <class E>
double sum_of(const E& e) {
  if constexpr (std::is_same_v<typename E::Scalar, double>)
    return e.sum();
  else
    return e.template cast<double>().sum();
}
template <class E>
double squared_norm_of(const E& e) {
  if constexpr (std::is_same_v<typename E::Scalar, double>)
    return e.squaredNorm();
  else
    return e.template cast<double>().squaredNorm();
}

// Base of the classification problems. Parameters are per-class weight columns with the bias
// as the last row ((d+1) × K column-major; K = 1 for logreg). Evaluation works through the
// rows in chunks of at most `chunk_rows()`, so all scratch memory is sized once: a Problem
// instance is therefore NOT thread-safe (each run builds its own instance).
//
// float32 runs: the same evaluations in float (has_float()), on a float copy of the data made at
// the first such evaluation. A model writes its chunk kernel and penalty once, as templates over
// the scalar, and overrides both scalars' chunk_loss and penalty with them; the sums over rows
// and chunks are accumulated in double in both.
class Classifier : public Problem {
 public:
  Index samples() const override { return data_.train.rows(); }
  double loss_grad(VecIn x, VecOut g) const override;
  double loss(VecIn x) const override;
  double loss_grad_batch(VecIn x, std::span<const Index> batch, VecOut g) const override;
  bool has_test_set() const override { return data_.test.rows() > 0; }
  // Mean cross-entropy (without the penalty) and accuracy on the test part.
  TestMetrics test_metrics(VecIn x) const override;
  double sample_loss_grad(VecIn x, std::span<const Index> batch, Rng& rng, VecOut g) const override;
  bool has_float() const override { return true; }
  double loss_grad_f32(VecInF x, VecOutF g) const override;
  double sample_loss_grad_f32(VecInF x, std::span<const Index> batch, Rng& rng,
                              VecOutF g) const override;
  TestMetrics test_metrics_f32(VecInF x) const override;
  const Split& data() const { return data_; }
  Index features() const { return data_.train.features(); }
  int classes() const { return data_.train.classes; }
  std::optional<double> optimum() const override { return fstar_; }
  // The training set's minimizer, for the convex models that found one.
  const std::optional<VecX>& minimizer() const { return minimizer_; }

 protected:
  // For convex models (call at the end of the constructor): the minimizer by Newton's method
  // from 0 to ‖∇f‖ ≤ 1e-10, `flat` holding directions along which f is constant, and f* there.
  void find_optimum(const MatX& flat);
  // `chunk`: rows per evaluation chunk (the scratch buffers hold this many); 0: as suits a
  // memory-bound linear model, linear_chunk_rows(d, n).
  Classifier(Split data, Index chunk);
  // The summed loss over the rows of X; with g non-null adds the summed gradient into g[0..dim);
  // with correct non-null adds the number of correctly predicted rows; rng non-null marks a
  // training-time evaluation (dropout). `next`: the memory the following call will read, for
  // memory-bound kernels to prefetch (empty when unknown).
  virtual double chunk_loss(VecIn x, RowsIn X, LabelsIn y, double* g, Index* correct, Rng* rng,
                            std::span<const double> next) const = 0;
  virtual double chunk_loss(VecInF x, RowsInT<float> X, LabelsIn y, float* g, Index* correct,
                            Rng* rng, std::span<const float> next) const = 0;
  // The regularizer's value (in double); with g non-null adds its gradient into g.
  virtual double penalty(VecIn x, double* g) const = 0;
  virtual double penalty(VecInF x, float* g) const = 0;
  // The Rng that sample_loss_grad hands to chunk_loss: none, except for a model with dropout.
  virtual Rng* dropout_rng(Rng& /*rng*/) const { return nullptr; }
  // The mean loss over the listed training rows plus the penalty.
  template <class T>
  double batch_loss(Eigen::Ref<const VecT<T>> x, std::span<const Index> batch,
                    Eigen::Ref<VecT<T>> g, Rng* rng) const;
  Index chunk_rows() const { return chunk_; }
  // Runs f(rows, labels, next) over consecutive chunks of (X, y).
  template <class T, class F>
  void for_chunks(const RowMatT<T>& X, const IntVec& y, F&& f) const {
    for (Index s = 0; s < X.rows(); s += chunk_) {
      const Index b = std::min(chunk_, X.rows() - s), nb = std::min(chunk_, X.rows() - s - b);
      f(X.middleRows(s, b), y.segment(s, b),
        std::span<const T>(X.data() + (s + b) * X.cols(), static_cast<std::size_t>(nb * X.cols())));
    }
  }
  template <class F>
  void for_chunks(const Dataset& t, F&& f) const {
    for_chunks<double>(t.x, t.y, std::forward<F>(f));
  }

 private:
  // The features in float, for float32 runs.
  struct FloatData {
    RowMatT<float> train, test;
  };
  template <class T>
  const RowMatT<T>& features_of(const Dataset& t) const;
  template <class T>
  double full(Eigen::Ref<const VecT<T>> x, Eigen::Ref<VecT<T>> g) const;
  template <class T>
  TestMetrics test(Eigen::Ref<const VecT<T>> x) const;
  template <class T>
  RowMatT<T>& gather() const;

  Split data_;
  Index chunk_;
  std::optional<VecX> minimizer_;
  std::optional<double> fstar_;
  mutable std::optional<FloatData> float_;
  mutable RowMat gather_x_;
  mutable RowMatT<float> gather_xf_;
  mutable IntVec gather_y_;
};

// Softmax cross-entropy of the rows of the logits z (b × K): returns
// Σ_i [log Σ_k exp(z_ik) − z_{i,y_i}], adds to *correct (when non-null) the rows whose first
// largest logit is the label's, and with `grad` overwrites z by P − Y (P the softmax, Y one-hot).
// m and s are scratch vectors of at least b entries.
template <class T>
double softmax_xent(Eigen::Ref<MatT<T>> z, LabelsIn y, bool grad, Index* correct,
                    Eigen::Ref<VecT<T>> m, Eigen::Ref<VecT<T>> s) {
  const Index b = z.rows();
  auto mb = m.head(b);
  auto sb = s.head(b);
  mb = z.rowwise().maxCoeff();
  if (correct) {
    for (Index i = 0; i < b; ++i) {
      Index k = 0;
      z.row(i).maxCoeff(&k);
      *correct += k == y[i];
    }
  }
  z.colwise() -= mb;
  double sum = 0;
  for (Index i = 0; i < b; ++i) sum -= z(i, y[i]);
  z = z.array().exp().matrix();
  sb = z.rowwise().sum();
  for (Index i = 0; i < b; ++i) sum += std::log(sb[i]);  // b logs only: scalar is fine
  if (grad) {
    z.array().colwise() /= sb.array();
    for (Index i = 0; i < b; ++i) z(i, y[i]) -= 1;
  }
  return sum;
}

// out_i = log(1 + e_i) for e_i ∈ [0, 1], as 2 atanh(s), s = e/(2 + e) ≤ 1/3, by 18 terms of its
// series (relative error ≤ 3 ulp); unlike std::log1p the loop vectorizes.
void log1p_unit(const double* e, double* out, Index n);
void log1p_unit(const float* e, float* out, Index n);

// Rows per evaluation chunk for a linear model on `features` inputs and `rows` samples. Data
// that streams from memory (more than 512 KiB): about 12 KiB and a multiple of 8 rows, so that
// a chunk read by the dot products is still in the L1 cache for the gradient product and the
// per-row vector operations need no scalar remainder. Data that stays in cache: all of it in
// one chunk of at most 1024 rows, for the fewest calls.
Index linear_chunk_rows(Index features, Index rows);

}  // namespace descent
