// The base of the classification problems (logreg, softmax, mlp), which turns a per-chunk loss
// kernel into full-batch, mini-batch and test-set evaluations, and the numerical kernels the
// models share.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <optional>
#include <span>

#include "lib/problem.hpp"
#include "problems/datasets.hpp"

namespace descent {

// Base of the classification problems. Parameters are per-class weight columns with the bias
// as the last row ((d+1) × K column-major; K = 1 for logreg). Evaluation works through the
// rows in chunks of at most `chunk_rows()`, so all scratch memory is sized once: a Problem
// instance is therefore NOT thread-safe (each run builds its own instance).
class Classifier : public Problem {
 public:
  Index samples() const override { return data_.train.rows(); }
  double loss_grad(VecIn x, VecOut g) const override;
  double loss(VecIn x) const override;
  double loss_grad_batch(VecIn x, std::span<const Index> batch, VecOut g) const override;
  bool has_test_set() const override { return data_.test.rows() > 0; }
  // Mean cross-entropy (without the penalty) and accuracy on the test part.
  TestMetrics test_metrics(VecIn x) const override;
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
  // The regularizer's value; with g non-null adds its gradient into g.
  virtual double penalty(VecIn x, double* g) const = 0;
  // The mean loss over the listed training rows plus the penalty.
  double batch_loss(VecIn x, std::span<const Index> batch, VecOut g, Rng* rng) const;
  Index chunk_rows() const { return chunk_; }
  // Runs f(rows, labels, next) over consecutive chunks of t.
  template <class F>
  void for_chunks(const Dataset& t, F&& f) const {
    for (Index s = 0; s < t.rows(); s += chunk_) {
      const Index b = std::min(chunk_, t.rows() - s), nb = std::min(chunk_, t.rows() - s - b);
      f(t.x.middleRows(s, b), t.y.segment(s, b),
        std::span<const double>(t.x.data() + (s + b) * t.features(),
                                static_cast<std::size_t>(nb * t.features())));
    }
  }

 private:
  Split data_;
  Index chunk_;
  std::optional<VecX> minimizer_;
  std::optional<double> fstar_;
  mutable RowMat gather_x_;
  mutable IntVec gather_y_;
};

// Softmax cross-entropy of the rows of the logits z (b × K): returns
// Σ_i [log Σ_k exp(z_ik) − z_{i,y_i}], adds to *correct (when non-null) the rows whose first
// largest logit is the label's, and with `grad` overwrites z by P − Y (P the softmax, Y one-hot).
// m and s are scratch vectors of at least b entries.
double softmax_xent(Eigen::Ref<MatX> z, LabelsIn y, bool grad, Index* correct, VecOut m, VecOut s);

// out_i = log(1 + e_i) for e_i ∈ [0, 1], as 2 atanh(s), s = e/(2 + e) ≤ 1/3, by 18 terms of its
// series (relative error ≤ 3 ulp); unlike std::log1p the loop vectorizes.
void log1p_unit(const double* e, double* out, Index n);

// Rows per evaluation chunk for a linear model on `features` inputs and `rows` samples. Data
// that streams from memory (more than 512 KiB): about 12 KiB and a multiple of 8 rows, so that
// a chunk read by the dot products is still in the L1 cache for the gradient product and the
// per-row vector operations need no scalar remainder. Data that stays in cache: all of it in
// one chunk of at most 1024 rows, for the fewest calls.
Index linear_chunk_rows(Index features, Index rows);

}  // namespace descent
