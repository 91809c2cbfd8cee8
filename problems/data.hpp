// Data for the classification problems (logreg, softmax, mlp): the built-in real sets, the
// synthetic generators, CSV and LIBSVM files, the train/test split, the standardization, and
// `Classifier`, the base class that turns a per-chunk loss kernel into full-batch, mini-batch
// and test-set evaluations.
//
// Data keys (shared by every classification problem):
//   data       breast_cancer | digits (problems/data/, or $DESCENT_DATA_DIR) | spiral | moons |
//              blobs | a file path: CSV with a header and the label in the last column, or
//              LIBSVM (`label index:value ...`, 1-based indices; by extension .svm, .libsvm,
//              .svmlight, or by content)
//   test_frac  held-out fraction, split per class (stratified) from the seed; default 0.2
//   points, classes, features, noise, sep, cond: synthetic sets only (defaults in `info`)
// Labels: the distinct values, sorted (numerically when they are all numbers), become
// 0..K−1. Features are standardized with the training part's mean and standard deviation
// (constant features become 0) and the test part is transformed with the same statistics.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lib/problem.hpp"
#include "lib/spec.hpp"

namespace descent {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using IntVec = Eigen::VectorXi;
using RowsIn = Eigen::Ref<const RowMat>;
using LabelsIn = Eigen::Ref<const IntVec>;

struct Dataset {
  RowMat x;  // one sample a row
  IntVec y;  // class indices 0..classes−1
  int classes = 0;
  std::vector<std::string> labels;  // the original label of each class
  std::string source;               // name or path, for messages
  Index rows() const { return x.rows(); }
  Index features() const { return x.cols(); }
};

// File readers; a malformed file is a UsageError naming the file and the line.
Dataset read_csv_data(const std::filesystem::path& path);
Dataset read_libsvm_data(const std::filesystem::path& path);
Dataset read_data_file(const std::filesystem::path& path);  // CSV or LIBSVM, detected

// Synthetic sets; a pure function of their arguments.
Dataset make_spiral(Index points, int classes, double noise, std::uint64_t seed);
Dataset make_moons(Index points, double noise, std::uint64_t seed);
Dataset make_blobs(Index points, int classes, Index features, double noise, double sep, double cond,
                   std::uint64_t seed);

// The folder of the built-in sets: $DESCENT_DATA_DIR when set, else the source tree's.
std::filesystem::path data_dir();

// A Haar-distributed orthogonal d × d matrix: QR of a Gaussian matrix with R's diagonal made
// positive (rotated quadratics, ill-conditioned blobs).
MatX random_orthogonal(Index d, Rng& rng);

struct Split {
  Dataset train, test;
  VecX mean, scale;  // the standardization: x ← (x − mean) / scale, from the training part
};
// Stratified: in each class round(test_frac · n_k) samples, at most n_k − 1, go to the test
// part, chosen by a permutation drawn from `seed`; both parts keep the file order.
Split split_data(const Dataset& all, double test_frac, std::uint64_t seed);
void standardize(Split& s);

// The keys of a classification problem: `data`, then the model's own keys, then the split and
// synthetic-data keys; and the split they describe for an instance.
std::vector<Key> data_keys(const std::string& default_data, std::vector<Key> model_keys);
// The L2 penalty of every classifier: on the weights, never the biases.
Key l2_key(const std::string& default_value);
// `default_classes`: the synthetic sets' class count when the spec does not give one.
Split load_data(const Params& p, std::uint64_t instance_seed, int default_classes);

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

// Damped Newton's method on a convex problem with a Hessian, from x, until the gradient norm
// is at most `tol`. `flat`: directions along which the loss is exactly constant (for softmax,
// one shift of all biases), kept out of the steps. Returns nothing when it does not converge.
std::optional<VecX> newton_minimize(const Problem& p, VecX x, const MatX& flat, double tol);

}  // namespace descent
