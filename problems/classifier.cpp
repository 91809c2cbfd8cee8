#include "problems/classifier.hpp"

#include <cmath>
#include <type_traits>

#include "problems/linalg.hpp"

namespace descent {

Classifier::Classifier(Split data, Index chunk)
    : data_(std::move(data)),
      chunk_(chunk > 0 ? chunk : linear_chunk_rows(data_.train.features(), data_.train.rows())),
      gather_x_(chunk_, data_.train.features()),
      gather_y_(chunk_) {}

template <class T>
const RowMatT<T>& Classifier::features_of(const Dataset& t) const {
  if constexpr (std::is_same_v<T, double>) {
    return t.x;
  } else {
    if (!float_) {
      float_ = FloatData{data_.train.x.cast<float>(), data_.test.x.cast<float>()};
      gather_xf_.resize(chunk_, data_.train.features());
    }
    return &t == &data_.train ? float_->train : float_->test;
  }
}

template <class T>
RowMatT<T>& Classifier::gather() const {
  if constexpr (std::is_same_v<T, double>)
    return gather_x_;
  else
    return gather_xf_;
}

template <class T>
double Classifier::full(Eigen::Ref<const VecT<T>> x, Eigen::Ref<VecT<T>> g) const {
  g.setZero();
  const Dataset& t = data_.train;
  double sum = 0;
  for_chunks<T>(features_of<T>(t), t.y, [&](auto X, LabelsIn y, std::span<const T> next) {
    sum += chunk_loss(x, X, y, g.data(), nullptr, nullptr, next);
  });
  g /= T(t.rows());
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

template <class T>
double Classifier::batch_loss(Eigen::Ref<const VecT<T>> x, std::span<const Index> batch,
                              Eigen::Ref<VecT<T>> g, Rng* rng) const {
  if (batch.empty()) throw std::logic_error("empty mini-batch");
  g.setZero();
  const Dataset& t = data_.train;
  const RowMatT<T>& features = features_of<T>(t);
  RowMatT<T>& rows = gather<T>();
  const auto m = Index(batch.size());
  double sum = 0;
  for (Index s = 0; s < m; s += chunk_) {
    const Index b = std::min(chunk_, m - s);
    for (Index j = 0; j < b; ++j) {
      const Index row = batch[std::size_t(s + j)];
      rows.row(j) = features.row(row);
      gather_y_[j] = t.y[row];
    }
    sum += chunk_loss(x, rows.topRows(b), gather_y_.head(b), g.data(), nullptr, rng, {});
  }
  g /= T(m);
  return sum / double(m) + penalty(x, g.data());
}

template <class T>
Problem::TestMetrics Classifier::test(Eigen::Ref<const VecT<T>> x) const {
  const Dataset& t = data_.test;
  if (t.rows() == 0) throw std::logic_error("this problem has no test set (test_frac=0)");
  double sum = 0;
  Index correct = 0;
  for_chunks<T>(features_of<T>(t), t.y, [&](auto X, LabelsIn y, std::span<const T> next) {
    sum += chunk_loss(x, X, y, nullptr, &correct, nullptr, next);
  });
  return {sum / double(t.rows()), double(correct) / double(t.rows())};
}

// The scalars' entry points, here where the templates above are defined (explicit
// instantiations of these Ref-typed templates mangle differently under clang).
double Classifier::loss_grad(VecIn x, VecOut g) const { return full<double>(x, g); }
double Classifier::loss_grad_batch(VecIn x, std::span<const Index> batch, VecOut g) const {
  return batch_loss<double>(x, batch, g, nullptr);
}
double Classifier::sample_loss_grad(VecIn x, std::span<const Index> batch, Rng& rng,
                                    VecOut g) const {
  return batch_loss<double>(x, batch, g, dropout_rng(rng));
}
Problem::TestMetrics Classifier::test_metrics(VecIn x) const { return test<double>(x); }
double Classifier::loss_grad_f32(VecInF x, VecOutF g) const { return full<float>(x, g); }
double Classifier::sample_loss_grad_f32(VecInF x, std::span<const Index> batch, Rng& rng,
                                        VecOutF g) const {
  return batch_loss<float>(x, batch, g, dropout_rng(rng));
}
Problem::TestMetrics Classifier::test_metrics_f32(VecInF x) const { return test<float>(x); }

namespace {
template <class T>
void log1p_series(const T* __restrict e, T* __restrict out, Index n) {
  for (Index i = 0; i < n; ++i) {
    const T s = e[i] / (2 + e[i]), s2 = s * s;
    T p = T(1.0 / 35);
    for (int k = 16; k >= 0; --k) p = p * s2 + T(1.0 / (2 * k + 1));
    out[i] = 2 * s * p;
  }
}

}  // namespace

void log1p_unit(const double* e, double* out, Index n) { log1p_series(e, out, n); }
void log1p_unit(const float* e, float* out, Index n) { log1p_series(e, out, n); }

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
