// Multilayer perceptron classifier, softmax cross-entropy, optional dropout.
//
//   a_0 = x,   a_l = φ(W_lᵀ a_{l−1} + b_l) ⊙ m_l  (hidden layers l = 1..L−1),
//   z = W_Lᵀ a_{L−1} + b_L,   f = (1/n) Σ_i [log Σ_k e^{z_ik} − z_{i,y_i}] + (l2/2) Σ_l |W_l|²
//
// φ = relu | tanh | sigmoid; the biases are not decayed. Dropout (inverted): the entries of
// m_l are 0 with probability p and 1/(1 − p) otherwise, drawn per sample and unit from the
// run's noise stream, in the optimizer's gradient only (sample_loss_grad); loss_grad, the
// logged loss and the test metrics use m = 1. Parameters: per layer an (in+1) × out
// column-major matrix whose last row is the bias. Start point: weights N(0, (s σ)²) drawn from
// the instance seed, he σ² = 2/in, xavier σ² = 2/(in + out), normal σ = 0.01, s = init_scale
// (default 1; the initialization experiment scales normal up to σ = 1 to show explosion); biases
// 0. No f* (non-convex). Data, split, standardization: problems/datasets.hpp.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "lib/limits.hpp"
#include "lib/problem.hpp"
#include "problems/classifier.hpp"

namespace descent {

class Mlp final : public Classifier {
 public:
  static ProblemInfo info() {
    std::vector<Key> keys = data_keys(
        "digits",
        {text_key("hidden", "64", "hidden widths, e.g. 64 or 64x32"),
         choice_key("act", "relu", "hidden activation φ", {"relu", "tanh", "sigmoid"}),
         choice_key("init", "he", "weight initialization", {"he", "xavier", "normal"}),
         real_key("init_scale", "1", "s: multiplies the initialization's σ", Range::positive),
         l2_key("0"),
         real_key("dropout", "0", "p: drop probability of hidden units in training",
                  Range::unit_open)});
    return {"mlp", "multilayer perceptron classifier (non-convex)",
            "softmax cross-entropy of a_L, a_l = φ(W_lᵀ a_{l−1} + b_l) ⊙ m_l + l2/2 "
            "Σ‖W_l‖²; inverted dropout masks m_l only in the optimizer's "
            "gradient\nstart: weights N(0, (s σ)²) from the instance seed (he σ² = 2/in, "
            "xavier 2/(in+out), normal σ = 0.01; s = init_scale), biases 0\nf*: —",
            std::move(keys)};
  }

  Mlp(const Params& p, std::uint64_t seed)
      : Classifier(load_data(p, seed, 3), kChunk),
        act_(p.text("act")),
        l2_(p.real("l2")),
        dropout_(p.real("dropout")) {
    std::vector<Index> widths{features()};
    std::stringstream in(p.text("hidden"));
    for (std::string item; std::getline(in, item, 'x');) {
      double w = 0;
      if (!parse_double(item, w) || w < 1 || w > 1e5 || w != std::floor(w))
        throw UsageError(
            fmt::format("problem spec '{}': key 'hidden' must be widths like 64 or "
                        "64x32 (got '{}')",
                        p.canonical(), p.text("hidden")));
      widths.push_back(Index(w));
    }
    widths.push_back(classes());
    double parameters = 0;  // counted before anything is allocated
    for (std::size_t l = 0; l + 1 < widths.size(); ++l)
      parameters += double(widths[l] + 1) * double(widths[l + 1]);
    check_size(parameters, limits::parameters, "parameters",
               fmt::format("problem spec '{}': the network's parameters", p.canonical()));
    for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
      layers_.push_back({widths[l], widths[l + 1], dim_});
      dim_ += (widths[l] + 1) * widths[l + 1];
    }
    work_.size(layers_, classes(), dropout_ > 0);
    work_f_.size(layers_, classes(), dropout_ > 0);
    Rng rng(derive_seed(seed, kStart));
    x0_ = VecX::Zero(dim_);
    for (const Layer& l : layers_) {
      const std::string& init = p.text("init");
      const double sd =
          p.real("init_scale") * (init == "he"       ? std::sqrt(2.0 / double(l.in))
                                  : init == "xavier" ? std::sqrt(2.0 / double(l.in + l.out))
                                                     : 0.01);
      auto w = Eigen::Map<MatX>(x0_.data() + l.offset, l.in + 1, l.out).topRows(l.in);
      for (Index j = 0; j < l.out; ++j)
        for (Index i = 0; i < l.in; ++i) w(i, j) = sd * rng.normal();
    }
  }

  Index dim() const override { return dim_; }
  VecX initial_point(std::uint64_t) const override { return x0_; }

  // What the initialization claims are about, per layer l = 1..L at x over the training part
  // (`descent inspect layers`): the RMS of the hidden activation a_l = φ(·) (NaN for the output
  // layer, whose logits the loss consumes) and ‖∂f/∂W_l‖_F, the weights' part of the full
  // gradient (biases apart). Outside the hot path: the forward pass is chunk_loss's own, read
  // back from its scratch, and the gradient is loss_grad's.
  struct LayerStats {
    Index in, out;
    double activation_rms, grad_norm;
  };
  std::vector<LayerStats> layer_stats(VecIn x) const {
    std::vector<double> squares(work_.h.size(), 0.0);
    for_chunks(data().train, [&](RowsIn X, LabelsIn y, std::span<const double> next) {
      chunk_loss(x, X, y, nullptr, nullptr, nullptr, next);
      for (std::size_t l = 0; l < work_.h.size(); ++l)
        squares[l] += work_.h[l].topRows(X.rows()).squaredNorm();
    });
    VecX g(dim_);
    loss_grad(x, g);
    std::vector<LayerStats> stats;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      const Layer& L = layers_[l];
      const double rms = l < work_.h.size() ? std::sqrt(squares[l] / double(samples() * L.out))
                                            : std::numeric_limits<double>::quiet_NaN();
      stats.push_back({L.in, L.out, rms, weights<double>(g, L).topRows(L.in).norm()});
    }
    return stats;
  }

 protected:
  // Layer l's parameters are the (in + 1) × out column-major matrix (W_l; b_l), i.e. out rows
  // of [w_unit, b_unit]: W_l (out × in, torch's Linear.weight) and b_l interleave with stride
  // in + 1.
  Layout blocks() const override {
    Layout layout;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      const Layer& L = layers_[l];
      layout.push_back(matrix_block(fmt::format("W{}", l + 1), L.offset, L.out, L.in, L.in + 1));
      layout.push_back(vector_block(fmt::format("b{}", l + 1), L.offset + L.in, L.out, L.in + 1));
    }
    return layout;
  }

  double chunk_loss(VecIn x, RowsIn X, LabelsIn y, double* g, Index* correct, Rng* rng,
                    std::span<const double>) const override {
    return chunk(x, X, y, g, correct, rng, work_);
  }
  double chunk_loss(VecInF x, RowsInT<float> X, LabelsIn y, float* g, Index* correct, Rng* rng,
                    std::span<const float>) const override {
    return chunk(x, X, y, g, correct, rng, work_f_);
  }
  double penalty(VecIn x, double* g) const override { return l2_penalty(x, g); }
  double penalty(VecInF x, float* g) const override { return l2_penalty(x, g); }
  Rng* dropout_rng(Rng& rng) const override { return dropout_ > 0 ? &rng : nullptr; }

 private:
  static constexpr Index kChunk = 256;
  struct Layer {
    Index in, out, offset;
  };
  // Per-chunk scratch (a Problem instance is not thread-safe): hidden activations φ(·), which
  // the backward pass overwrites with its deltas; with dropout the masks and masked values.
  template <class T>
  struct Work {
    std::vector<MatT<T>> h, a, mask;
    MatT<T> z, t;
    VecT<T> m, s;
    void size(const std::vector<Layer>& layers, Index classes, bool dropout) {
      Index widest = 0;
      for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
        const Index width = layers[l].out;
        h.emplace_back(kChunk, width);
        a.emplace_back(dropout ? MatT<T>(kChunk, width) : MatT<T>());
        mask.emplace_back(dropout ? MatT<T>(kChunk, width) : MatT<T>());
        widest = std::max(widest, width);
      }
      z.resize(kChunk, classes);
      t.resize(kChunk, widest);
      m.resize(kChunk);
      s.resize(kChunk);
    }
  };

  template <class T>
  double chunk(Eigen::Ref<const VecT<T>> x, RowsInT<T> X, LabelsIn y, T* g, Index* correct,
               Rng* rng, Work<T>& work) const {
    const Index b = X.rows(), hidden = Index(work.h.size());
    const bool drop = rng != nullptr;
    // The input of layer l: the data, or the previous hidden layer's (masked) activation.
    auto input = [&](Index l) -> Eigen::Ref<const MatT<T>> {
      return (drop ? work.a : work.h)[std::size_t(l - 1)].topRows(b);
    };
    for (Index l = 0; l <= hidden; ++l) {
      const Layer& L = layers_[std::size_t(l)];
      const auto w = weights<T>(x, L);
      MatT<T>& out = l < hidden ? work.h[std::size_t(l)] : work.z;
      auto o = out.topRows(b);
      if (l == 0)
        o.noalias() = X * w.topRows(L.in);
      else
        o.noalias() = input(l) * w.topRows(L.in);
      o.rowwise() += w.row(L.in);
      if (l == hidden) break;
      activate(o);
      if (drop) {
        auto m = work.mask[std::size_t(l)].topRows(b);
        const double keep = 1 / (1 - dropout_);
        for (Index j = 0; j < L.out; ++j)
          for (Index i = 0; i < b; ++i) m(i, j) = T(rng->uniform() < dropout_ ? 0.0 : keep);
        work.a[std::size_t(l)].topRows(b) = o.cwiseProduct(m);
      }
    }
    const double sum = softmax_xent<T>(work.z.topRows(b), y, g != nullptr, correct, work.m, work.s);
    if (!g) return sum;
    MatT<T>* delta = &work.z;  // ∂(Σ loss)/∂(pre-activation) of layer l, rows 0..b
    for (Index l = hidden; l >= 0; --l) {
      const Layer& L = layers_[std::size_t(l)];
      auto gw = Eigen::Map<MatT<T>>(g + L.offset, L.in + 1, L.out);
      const auto d = delta->topRows(b);
      if (l == 0)
        gw.topRows(L.in).noalias() += X.transpose() * d;
      else
        gw.topRows(L.in).noalias() += input(l).transpose() * d;
      gw.row(L.in) += d.colwise().sum();
      if (l == 0) break;
      auto t = work.t.topLeftCorner(b, L.in);
      t.noalias() = d * weights<T>(x, L).topRows(L.in).transpose();
      auto h = work.h[std::size_t(l - 1)].topRows(b);  // becomes the previous layer's delta
      if (act_ == "relu")
        h = (h.array() > 0).select(t.array(), T(0)).matrix();
      else if (act_ == "tanh")
        h = (t.array() * (1 - h.array().square())).matrix();
      else
        h = (t.array() * h.array() * (1 - h.array())).matrix();
      if (drop) h.array() *= work.mask[std::size_t(l - 1)].topRows(b).array();
      delta = &work.h[std::size_t(l - 1)];
    }
    return sum;
  }

  template <class T>
  double l2_penalty(Eigen::Ref<const VecT<T>> x, T* g) const {
    if (l2_ == 0) return 0;  // without a penalty, no pass over the weights
    double sum = 0;
    for (const Layer& L : layers_) {
      const auto w = weights<T>(x, L).topRows(L.in);
      sum += squared_norm_of(w);
      if (g) Eigen::Map<MatT<T>>(g + L.offset, L.in + 1, L.out).topRows(L.in) += T(l2_) * w;
    }
    return 0.5 * l2_ * sum;
  }

  template <class T>
  static Eigen::Map<const MatT<T>> weights(Eigen::Ref<const VecT<T>> x, const Layer& L) {
    return {x.data() + L.offset, L.in + 1, L.out};
  }
  template <class O>
  void activate(O& o) const {
    using T = typename O::Scalar;
    if (act_ == "relu")
      o = o.cwiseMax(T(0));
    else if (act_ == "tanh")
      o = (1 - 2 / ((2 * o.array()).exp() + 1)).matrix();  // vectorized
    else
      o = (1 / (1 + (-o.array()).exp())).matrix();
  }

  std::string act_;
  double l2_, dropout_;
  std::vector<Layer> layers_;
  Index dim_ = 0;
  VecX x0_;
  mutable Work<double> work_;
  mutable Work<float> work_f_;
};

}  // namespace descent
