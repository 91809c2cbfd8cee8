// The test-problem interface. Problems evaluate in double; those with a float path (the data
// problems) also in float, for float32 runs (lib/run.hpp's Dtype).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "lib/rng.hpp"
#include "lib/spec.hpp"

namespace descent {

using Index = Eigen::Index;
using VecX = Eigen::VectorXd;
using MatX = Eigen::MatrixXd;
using VecIn = Eigen::Ref<const VecX>;
using VecOut = Eigen::Ref<VecX>;
using VecXf = Eigen::VectorXf;
using VecInF = Eigen::Ref<const VecXf>;
using VecOutF = Eigen::Ref<VecXf>;

// One block of the parameter vector, as matrix-aware optimizers see it: a matrix of rows × cols
// or a vector of `rows` entries (cols = 1). Row i starts at offset + i·stride (a vector's entry i
// likewise), so a contiguous matrix is row-major (C order, as torch's reshape) with stride = cols,
// and a layer's weight matrix can interleave with its bias (the classifiers' (w; b) columns).
struct Block {
  std::string name;
  Index offset = 0, rows = 0, cols = 1, stride = 1;
  bool matrix = false;
  Index size() const { return rows * cols; }
};
using Layout = std::vector<Block>;

// The default: the whole vector as one vector block.
Layout vector_layout(Index n);
Block matrix_block(std::string name, Index offset, Index rows, Index cols, Index stride);
Block vector_block(std::string name, Index offset, Index n, Index stride = 1);
// "W1 64×64, b1 64, W2 64×10, b2 10": for messages and `descent list problems -v`.
std::string describe(const Layout& layout);
bool has_matrix(const Layout& layout);
// The number of parameters the blocks cover.
Index layout_dim(const Layout& layout);

// What `descent list problems` shows of a problem, and the keys its spec takes.
struct ProblemInfo {
  std::string name;
  std::string summary;     // one line
  std::string definition;  // the function, its start point and its optimum
  std::vector<Key> keys;
};

class Problem {
 public:
  virtual ~Problem() = default;

  virtual Index dim() const = 0;
  // The documented start point; problems with a random start draw it from `seed`.
  virtual VecX initial_point(std::uint64_t seed) const = 0;
  // Loss and gradient over the full objective (all training samples for data problems).
  virtual double loss_grad(VecIn x, VecOut g) const = 0;
  virtual double loss(VecIn x) const {
    VecX g(dim());
    return loss_grad(x, g);
  }

  // Data problems: the number of training samples, and the mean loss and gradient over some.
  virtual Index samples() const { return 0; }
  virtual double loss_grad_batch(VecIn x, std::span<const Index> /*batch*/, VecOut g) const {
    return loss_grad(x, g);
  }
  // Whether the gradient an optimizer sees differs from the full gradient (mini-batches,
  // injected noise). The run loop then measures the full loss separately at logging points.
  virtual bool stochastic() const { return samples() > 0; }
  // The gradient an optimizer sees: a mini-batch for data problems; noisy problems override it.
  virtual double sample_loss_grad(VecIn x, std::span<const Index> batch, Rng& /*rng*/,
                                  VecOut g) const {
    return samples() > 0 ? loss_grad_batch(x, batch, g) : loss_grad(x, g);
  }

  // Classification problems: loss and accuracy on the held-out test part, at logging points.
  virtual bool has_test_set() const { return false; }
  struct TestMetrics {
    double loss, accuracy;
  };
  virtual TestMetrics test_metrics(VecIn /*x*/) const {
    throw std::logic_error("this problem has no test set");
  }

  // float32 runs: a problem with a float path evaluates with the parameters, the gradient and
  // every product in float, and returns the loss accumulated in double. The others throw
  // std::logic_error (a run asks has_float() first).
  virtual bool has_float() const { return false; }
  virtual double loss_grad_f32(VecInF /*x*/, VecOutF /*g*/) const { throw no_float(); }
  virtual double sample_loss_grad_f32(VecInF /*x*/, std::span<const Index> /*batch*/, Rng& /*rng*/,
                                      VecOutF /*g*/) const {
    throw no_float();
  }
  virtual TestMetrics test_metrics_f32(VecInF /*x*/) const { throw no_float(); }

  // The known (or computed) optimal value f*, when there is one.
  virtual std::optional<double> optimum() const { return std::nullopt; }
  virtual bool has_hessian() const { return false; }
  virtual void hessian(VecIn /*x*/, Eigen::Ref<MatX> /*h*/) const {
    throw std::logic_error("this problem has no Hessian");
  }

  // How the parameter vector splits into vectors and matrices: the problem's own blocks (the
  // classifiers' layers), or the whole vector viewed as one matrix (view_as, `shape=RxC`).
  Layout layout() const { return view_ ? *view_ : blocks(); }
  // Views the whole vector as one rows × cols matrix; throws UsageError unless rows·cols = dim.
  void view_as(Index rows, Index cols);

  // The canonical spec (name and every parameter), e.g. "quadratic:dim=4,cond=100,rotate=0".
  const std::string& spec() const { return spec_; }
  void set_spec(std::string s) { spec_ = std::move(s); }

 protected:
  virtual Layout blocks() const { return vector_layout(dim()); }

 private:
  static std::logic_error no_float() { return std::logic_error("this problem has no float path"); }
  std::string spec_;
  std::optional<Layout> view_;
};

}  // namespace descent
