#include "problems/classifier.hpp"

#include <cmath>

#include "problems/linalg.hpp"

namespace descent {

Classifier::Classifier(Split data, Index chunk)
    : data_(std::move(data)),
      chunk_(chunk > 0 ? chunk : linear_chunk_rows(data_.train.features(), data_.train.rows())),
      gather_x_(chunk_, data_.train.features()),
      gather_y_(chunk_) {}

double Classifier::loss_grad(VecIn x, VecOut g) const {
  g.setZero();
  const Dataset& t = data_.train;
  double sum = 0;
  for_chunks(t, [&](RowsIn X, LabelsIn y, std::span<const double> next) {
    sum += chunk_loss(x, X, y, g.data(), nullptr, nullptr, next);
  });
  g /= double(t.rows());
  return sum / double(t.rows()) + penalty(x, g.data());
}

double Classifier::loss(VecIn x) const {
  const Dataset& t = data_.train;
  double sum = 0;
  for_chunks(t, [&](RowsIn X, LabelsIn y, std::span<const double> next) {
    sum += chunk_loss(x, X, y, nullptr, nullptr, nullptr, next);
  });
  return sum / double(t.rows()) + penalty(x, nullptr);
}

double Classifier::batch_loss(VecIn x, std::span<const Index> batch, VecOut g, Rng* rng) const {
  if (batch.empty()) throw std::logic_error("empty mini-batch");
  g.setZero();
  const Dataset& t = data_.train;
  const auto m = Index(batch.size());
  double sum = 0;
  for (Index s = 0; s < m; s += chunk_) {
    const Index b = std::min(chunk_, m - s);
    for (Index j = 0; j < b; ++j) {
      const Index row = batch[std::size_t(s + j)];
      gather_x_.row(j) = t.x.row(row);
      gather_y_[j] = t.y[row];
    }
    sum += chunk_loss(x, gather_x_.topRows(b), gather_y_.head(b), g.data(), nullptr, rng, {});
  }
  g /= double(m);
  return sum / double(m) + penalty(x, g.data());
}

double Classifier::loss_grad_batch(VecIn x, std::span<const Index> batch, VecOut g) const {
  return batch_loss(x, batch, g, nullptr);
}

Problem::TestMetrics Classifier::test_metrics(VecIn x) const {
  const Dataset& t = data_.test;
  if (t.rows() == 0) throw std::logic_error("this problem has no test set (test_frac=0)");
  double sum = 0;
  Index correct = 0;
  for_chunks(t, [&](RowsIn X, LabelsIn y, std::span<const double> next) {
    sum += chunk_loss(x, X, y, nullptr, &correct, nullptr, next);
  });
  return {sum / double(t.rows()), double(correct) / double(t.rows())};
}

double softmax_xent(Eigen::Ref<MatX> z, LabelsIn y, bool grad, Index* correct, VecOut m, VecOut s) {
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

void log1p_unit(const double* __restrict e, double* __restrict out, Index n) {
  for (Index i = 0; i < n; ++i) {
    const double s = e[i] / (2 + e[i]), s2 = s * s;
    double p = 1.0 / 35;
    for (int k = 16; k >= 0; --k) p = p * s2 + 1.0 / (2 * k + 1);
    out[i] = 2 * s * p;
  }
}

Index linear_chunk_rows(Index features, Index rows) {
  features = std::max<Index>(features, 1);
  if (rows * features * Index(sizeof(double)) <= (Index(1) << 19))
    return std::clamp<Index>((rows + 7) / 8 * 8, 8, 1024);
  return std::clamp<Index>(1600 / features / 8 * 8, 8, 1024);
}

void Classifier::find_optimum(const MatX& flat) {
  minimizer_ = newton_minimize(*this, VecX::Zero(dim()), flat, 1e-10);
  if (minimizer_) fstar_ = loss(*minimizer_);
}

}  // namespace descent
