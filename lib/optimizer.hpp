// The optimizer interface.
//
// An optimizer file defines three things: a Config (its hyperparameters, each bound to its key
// once in `Config::fields()`, lib/config.hpp), `info()` (name, equations, reference) and a class
// template over the scalar T holding the per-run state, with
//   step(x, g, lr_scale)  x <- update(x, g), lr = Config.lr * lr_scale (the schedule's factor)
//   reset()               back to the state before the first step.
// and, where the iterate is not the point to judge the run at (schedule-free's average x, ASGD's
// average), also
//   eval_point(x, out)    out <- that point, given the parameters x (x itself before step 1).
// A step never allocates: all state is sized in the constructor. x and g must not overlap (the
// fused loops take them as restrict-qualified pointers).
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <concepts>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lib/config.hpp"
#include "lib/problem.hpp"
#include "lib/spec.hpp"

namespace descent {

template <class T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <class T>
using VecRef = Eigen::Ref<Vec<T>>;
template <class T>
using CVecRef = Eigen::Ref<const Vec<T>>;

// What an optimizer sees of the parameters' blocks (lib/problem.hpp Layout).
enum class BlockUse {
  none,   // elementwise: the flat vector only
  any,    // per block, vectors and matrices alike (adafactor factors matrices)
  matrix  // needs a matrix block (muon, shampoo, soap); a problem without one is a usage error
};

// A framework's version of an optimizer, selected by the key `flavor=<name>`: the values it gives
// the optimizer's keys (its form and its defaults) where the spec does not give them, and what
// else differs that no key expresses. Every optimizer with flavors has `torch`, its default.
struct Flavor {
  std::string name;  // torch, optax, keras, ensmallen
  std::vector<std::pair<std::string, std::string>> sets;
  std::string note = {};
};

struct OptimizerInfo {
  std::string name;
  std::string summary;    // one line
  std::string equations;  // the update in the paper's notation
  std::string reference;
  // How the reference differs from the paper and from other implementations (torch, optax, ...).
  std::string differences = {};
  bool own_weight_decay = false;  // the optimizer defines `weight_decay` itself (decoupled)
  BlockUse blocks = BlockUse::none;
  // Where the optimizer is judged when not at its iterate (the run loop's eval_loss), in words;
  // empty: at the iterate.
  std::string eval_point = {};
  // The frameworks' versions (`flavor=`); empty: the optimizer has none.
  std::vector<Flavor> flavors = {};
  // Words one step reads plus writes per parameter at the default keys (x, g and the state
  // vectors): the memory traffic the benchmarks' bytes/s counts.
  int words_per_param = 0;
};

// (clang-format 14 mangles concepts and requires-clauses.)
// clang-format off
// Elementwise optimizers are built for a length n, block-aware ones for the problem's Layout.
template <template <class> class O, class T>
concept FirstOrderOptimizer =
    (std::constructible_from<O<T>, const typename O<T>::Config&, Eigen::Index> ||
     std::constructible_from<O<T>, const typename O<T>::Config&, const Layout&>) &&
    Configurable<typename O<T>::Config> &&
    requires(O<T> o, VecRef<T> x, CVecRef<T> g, T s) {
      { O<T>::info() } -> std::convertible_to<OptimizerInfo>;
      o.step(x, g, s);
      o.reset();
    };
// clang-format on

// The type-erased optimizer that the run loop, the CLI and the benchmarks hold.
template <class T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual void step(VecRef<T> x, CVecRef<T> g, T lr_scale) = 0;
  void step(VecRef<T> x, CVecRef<T> g) { step(x, g, T(1)); }
  virtual void reset() = 0;
  // Line-search and second-order methods take an Oracle (lib/oracle.hpp) from the run loop
  // before their first step; first-order methods need none.
  virtual bool uses_oracle() const { return false; }
  virtual void set_oracle(class Oracle* /*oracle*/) {}
  // Optimizers judged away from their iterate (OptimizerInfo::eval_point) write that point.
  virtual bool has_eval_point() const { return false; }
  virtual void eval_point(CVecRef<T> x, VecRef<T> out) const { out = x; }
};

// Keys shared by every optimizer: gradient clipping and torch's coupled L2 decay.
//   g <- g * min(1, clip / |g|_2)    (clip > 0; 0 disables)
//   g <- g + weight_decay * x        (torch's `weight_decay`; adamw replaces it by its own)
struct GradientTransform {
  double clip = 0;
  double weight_decay = 0;
  // own_weight_decay: the optimizer defines `weight_decay` itself (decoupled), so it has no
  // coupled one.
  static Fields<GradientTransform> fields(bool own_weight_decay) {
    using C = GradientTransform;
    Fields<C> f = {real_key(&C::clip, "clip", "0", "clip the gradient's 2-norm to this (0: off)",
                            Range::nonnegative)};
    if (!own_weight_decay)
      f.push_back(real_key(&C::weight_decay, "weight_decay", "0",
                           "coupled L2 decay, g += λ θ (torch)", Range::nonnegative));
    return f;
  }
  static GradientTransform read(const Params& p, bool own_weight_decay) {
    static const Fields<GradientTransform> with = fields(false), without = fields(true);
    GradientTransform t;
    read_fields(own_weight_decay ? without : with, p, t);
    return t;
  }
  bool active() const { return clip > 0 || weight_decay > 0; }

  template <class T>
  void apply(CVecRef<T> x, VecRef<T> g) const {
    if (clip > 0) {
      const T norm = g.norm();
      if (norm > T(clip)) g *= T(clip) / norm;
    }
    if (weight_decay > 0) g += T(weight_decay) * x;
  }
};

// Wraps a concrete optimizer; the gradient copy exists only when clipping or decay is on, so
// the default path passes g straight through with no extra memory traffic.
// clang-format off
template <template <class> class O, class T>
  requires FirstOrderOptimizer<O, T>
class Erased final : public Optimizer<T> {
  // clang-format on
 public:
  Erased(const Params& p, GradientTransform pre, const Layout& layout)
      : opt_(build(read_config<typename O<T>::Config>(p), layout)), pre_(pre) {
    if (pre_.active()) buffer_.resize(layout_dim(layout));
  }
  void step(VecRef<T> x, CVecRef<T> g, T lr_scale) override {
    if (pre_.active()) [[unlikely]]
      return step_transformed(x, g, lr_scale);
    opt_.step(x, g, lr_scale);
  }
  void reset() override { opt_.reset(); }
  bool has_eval_point() const override { return kEvalPoint; }
  void eval_point(CVecRef<T> x, VecRef<T> out) const override {
    if constexpr (kEvalPoint)
      opt_.eval_point(x, out);
    else
      out = x;
  }

 private:
  static constexpr bool kEvalPoint = requires(const O<T>& o, CVecRef<T> x, VecRef<T> out) {
    o.eval_point(x, out);
  };

  static O<T> build(const typename O<T>::Config& c, const Layout& layout) {
    if constexpr (std::constructible_from<O<T>, const typename O<T>::Config&, const Layout&>)
      return O<T>(c, layout);
    else
      return O<T>(c, layout_dim(layout));
  }

  // Out of line, so that the common path stays a leaf without the stack frame that the copy
  // and its calls need (a 2-D step costs about a hundred instructions in all).
  [[gnu::noinline]] void step_transformed(const VecRef<T>& x, const CVecRef<T>& g, T lr_scale) {
    buffer_ = g;
    pre_.apply<T>(x, buffer_);
    opt_.step(x, buffer_, lr_scale);
  }

  O<T> opt_;
  GradientTransform pre_;
  Vec<T> buffer_;
};

}  // namespace descent
