// The data sets of the classification problems (logreg, softmax, mlp): the built-in real sets,
// the synthetic generators, CSV and LIBSVM files, the train/test split and the standardization.
// The models' shared machinery is in problems/classifier.hpp.
//
// Data keys (shared by every classification problem):
//   data       breast_cancer | digits (problems/data/, or $DESCENT_DATA_DIR) | spiral | moons |
//              blobs | a file path: CSV with a header and the label in the last column, or
//              LIBSVM (`label index:value ...`, 1-based indices; by extension .svm, .libsvm,
//              .svmlight, or by content)
//   test_frac  held-out fraction, split per class (stratified) from the seed; default 0.2
//   standardize  1 (default): as below; 0: the raw features (the course's "normalize the
//              inputs" claim is measured against this, bench/experiments/normalization.toml)
//   points, classes, features, noise, sep, cond: synthetic sets only (defaults in `info`)
// Labels: the distinct values, sorted (numerically when they are all numbers), become
// 0..K−1. Features are standardized with the training part's mean and standard deviation
// (constant features become 0) and the test part is transformed with the same statistics;
// with standardize=0 they are left as read (Split::mean and scale stay empty).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lib/problem.hpp"
#include "lib/spec.hpp"

namespace descent {

template <class T>
using RowMatT = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMat = RowMatT<double>;
using IntVec = Eigen::VectorXi;
template <class T>
using RowsInT = Eigen::Ref<const RowMatT<T>>;
using RowsIn = RowsInT<double>;
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

}  // namespace descent
