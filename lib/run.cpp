#include "lib/run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>

#include "lib/limits.hpp"
#include "lib/oracle.hpp"

namespace descent {

Dtype parse_dtype(std::string_view name) {
  for (Dtype d : {Dtype::float64, Dtype::float32})
    if (name == to_string(d)) return d;
  throw UsageError(fmt::format("unknown dtype '{}' (dtypes: float64, float32)", name));
}

const char* to_string(Dtype d) { return d == Dtype::float32 ? "float32" : "float64"; }

std::string no_float_path(std::string_view spec) {
  return fmt::format("dtype float32: problem '{}' has no float path (the data problems have one)",
                     spec);
}

const char* to_string(Status s) {
  switch (s) {
    case Status::ok:
      return "ok";
    case Status::diverged:
      return "diverged";
    case Status::error:
      return "error";
  }
  return "?";
}

StepPlan plan_steps(const Problem& problem, const RunSettings& s) {
  const Index n = problem.samples();
  const Index batch = (n == 0 || s.batch <= 0 || s.batch >= n) ? std::max<Index>(n, 1) : s.batch;
  const Index per_epoch = n == 0 ? 1 : (n + batch - 1) / batch;
  const Budget& b = s.budget;
  const int given = (b.iters > 0) + (b.epochs > 0) + (b.grad_evals > 0);
  if (given > 1 || (given == 0 && b.seconds <= 0))
    throw UsageError("give one budget: iters, epochs or grad_evals (seconds may be added)");
  // Without a step count, a time limit alone runs until the clock stops it.
  Index steps = std::numeric_limits<int>::max();
  if (b.iters > 0) steps = b.iters;
  if (b.grad_evals > 0) steps = b.grad_evals;  // first-order methods spend one per step
  if (b.epochs > 0)
    steps = to_count(std::round(b.epochs * double(per_epoch)), "steps of the epochs budget", 1,
                     limits::steps, "steps");
  // The trace is bounded by the logging plan: at most limits::log_points points in memory.
  const bool counted = b.iters > 0 || b.grad_evals > 0 || b.epochs > 0;
  const double logged = s.log.points > 0 ? double(s.log.points)
                                         : double(steps) / double(std::max<Index>(s.log.every, 1));
  if (counted && logged > double(limits::log_points))
    throw UsageError(fmt::format(
        "logging every {} of {} steps (--log-every, or log in an experiment file) keeps {:.4g} "
        "points, more than the limit 'log_points' of {}: log every {} or more steps, or "
        "log-spaced points",
        s.log.every, steps, logged, limits::log_points,
        (steps + limits::log_points - 1) / limits::log_points));
  return {steps, per_epoch, batch};
}

namespace {

// Iterations to log: every k-th, or log-spaced; always the first and the last.
class LogSchedule {
 public:
  LogSchedule(const LogPlan& plan, Index last)
      : every_(std::max<Index>(plan.every, 1)), last_(last) {
    if (plan.points <= 0) return;
    const double top = std::log(static_cast<double>(std::max<Index>(last, 1)));
    for (Index j = 0; j < plan.points; ++j) {
      const double e =
          top * static_cast<double>(j) / static_cast<double>(std::max<Index>(plan.points - 1, 1));
      points_.push_back(std::llround(std::exp(e)));
    }
    points_.push_back(0);
    points_.push_back(last);
    std::sort(points_.begin(), points_.end());
    points_.erase(std::unique(points_.begin(), points_.end()), points_.end());
  }
  // The next iteration to log (where a lean stretch of the run loop must stop).
  Index next() const { return next_; }
  // Called for k = 0, 1, 2, ... in order; one comparison per step.
  bool due(Index k) {
    if (k != next_) return false;
    if (points_.empty())
      next_ = next_ < last_ ? std::min(next_ + every_, last_) : kNever;
    else
      next_ = ++index_ < points_.size() ? points_[index_] : kNever;
    return true;
  }

 private:
  static constexpr Index kNever = std::numeric_limits<Index>::max();
  Index every_, last_;
  std::vector<Index> points_;
  std::size_t index_ = 0;
  Index next_ = 0;  // the next iteration to log (the first point is always 0)
};

// Mini-batches: a fresh permutation of the samples at the start of every epoch.
class Batches {
 public:
  Batches(Index samples, Index batch, std::uint64_t seed)
      : order_(static_cast<std::size_t>(samples)), batch_(batch), rng_(seed) {
    std::iota(order_.begin(), order_.end(), Index{0});
  }
  std::span<const Index> batch(Index step, Index per_epoch) {
    const Index r = step % per_epoch;
    if (r == 0) rng_.shuffle(std::span<Index>(order_));
    const Index begin = r * batch_, end = std::min<Index>(begin + batch_, Index(order_.size()));
    return {order_.data() + begin, static_cast<std::size_t>(end - begin)};
  }

 private:
  std::vector<Index> order_;
  Index batch_;
  Rng rng_;
};

struct Clock {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
};

// The oracle of one run: evaluations on the step's batch, counted into the summary, and the
// last one remembered so that the run loop does not pay again for a point a line search has
// already evaluated.
class RunOracle final : public Oracle {
 public:
  RunOracle(const Problem& p, Summary& s, Rng& noise) : p_(p), s_(s), noise_(noise) {}

  void begin_step(double f, std::span<const Index> batch, bool stochastic) {
    f_ = f;
    batch_ = batch;
    stochastic_ = stochastic;
  }
  double loss_grad(VecIn x, VecOut g) override {
    ++s_.grad_evals;
    const double f = stochastic_ ? p_.sample_loss_grad(x, batch_, noise_, g) : p_.loss_grad(x, g);
    if (!stochastic_) last_x_ = x, last_g_ = g, last_f_ = f, remembered_ = true;
    return f;
  }
  double current_loss() const override { return f_; }
  bool has_hessian() const override { return p_.has_hessian(); }
  void hessian(VecIn x, Eigen::Ref<MatX> h) override {
    ++s_.hess_evals;
    p_.hessian(x, h);
  }
  // The full loss and gradient at x if the last evaluation was there.
  bool recall(VecIn x, VecOut g, double& f) const {
    if (!remembered_ || last_x_ != x) return false;
    g = last_g_;
    f = last_f_;
    return true;
  }

 private:
  const Problem& p_;
  Summary& s_;
  Rng& noise_;
  double f_ = 0, last_f_ = 0;
  std::span<const Index> batch_;
  bool stochastic_ = false, remembered_ = false;
  VecX last_x_, last_g_;
};

// The problem's evaluations in the run's scalar: double, or float (lib/problem.hpp's float path).
template <class T>
constexpr bool is_double = std::is_same_v<T, double>;

// Each takes Refs, built at the call as a direct call to the problem would build them, so that
// it inlines into the run loop.
template <class T>
double full_eval(const Problem& p, CVecRef<T> x, VecRef<T> g) {
  if constexpr (is_double<T>)
    return p.loss_grad(x, g);
  else
    return p.loss_grad_f32(x, g);
}
template <class T>
double sample_eval(const Problem& p, CVecRef<T> x, std::span<const Index> batch, Rng& rng,
                   VecRef<T> g) {
  if constexpr (is_double<T>)
    return p.sample_loss_grad(x, batch, rng, g);
  else
    return p.sample_loss_grad_f32(x, batch, rng, g);
}
template <class T>
Problem::TestMetrics test_eval(const Problem& p, CVecRef<T> x) {
  if constexpr (is_double<T>)
    return p.test_metrics(x);
  else
    return p.test_metrics_f32(x);
}
// ‖g‖ for the trace, in double.
template <class G>
double norm_of(const G& g) {
  if constexpr (is_double<typename G::Scalar>)
    return g.norm();
  else
    return g.template cast<double>().norm();
}

// One run in progress: the loop of run() with its bookkeeping split into short steps. T is the
// scalar of the iterate, the gradients and the optimizer (double, or float for float32 runs);
// the losses and the trace are double in both.
template <class T>
class Runner {
 public:
  Runner(const Problem& problem, Optimizer<T>& optimizer, const Schedule& schedule,
         const RunSettings& settings)
      : p_(problem),
        opt_(optimizer),
        schedule_(schedule),
        set_(settings),
        plan_(plan_steps(problem, settings)),
        n_(problem.samples()),
        stochastic_(problem.stochastic() && !(n_ > 0 && plan_.batch >= n_)),
        g_(problem.dim()),
        full_g_(stochastic_ ? problem.dim() : 0),
        measured_(stochastic_ ? VecRef<T>(full_g_) : VecRef<T>(g_)),
        constant_rate_(schedule.is_constant()),
        batches_(n_, plan_.batch, derive_seed(settings.seed, kBatches)),
        noise_(derive_seed(settings.seed, kNoise)),
        log_(settings.log, plan_.steps),
        fstar_(problem.optimum().value_or(0.0)),
        oracle_(problem, s_, noise_),
        eval_(optimizer.has_eval_point()),
        eval_x_(eval_ ? problem.dim() : 0),
        eval_g_(eval_ ? problem.dim() : 0) {}

  RunResult run() {
    const VecX x0 = set_.x0 ? *set_.x0 : p_.initial_point(derive_seed(set_.seed, kStart));
    if (x0.size() != p_.dim())
      throw UsageError(fmt::format("start point has {} coordinates, problem '{}' has {}", x0.size(),
                                   p_.spec(), p_.dim()));
    x_ = x0.cast<T>();
    opt_.reset();
    with_oracle_ = opt_.uses_oracle();
    if (with_oracle_) opt_.set_oracle(&oracle_);
    s_.best_loss = std::numeric_limits<double>::infinity();
    clock_ = Clock{};
    // A loss-level target on an evaluation point needs that point measured at every step (a
    // test_acc target is checked at logging points only).
    const bool lean = !stochastic_ && !with_oracle_ && !(eval_ && loss_target());
    for (Index k = 0; visit(k);) {
      step(k++);
      if (lean) k = lean_steps(k);
      if (s_.status != Status::ok) break;
    }
    s_.epochs = epoch(s_.iters);
    s_.time_s = clock_.seconds();
    r_.summary = s_;
    if constexpr (is_double<T>)
      r_.x = std::move(x_);
    else
      r_.x = x_.template cast<double>();
    return std::move(r_);
  }

 private:
  Index epoch_index(Index k) const { return k / plan_.steps_per_epoch; }
  double epoch(Index k) const {
    if (n_ == 0) return double(k);
    const Index into = (k % plan_.steps_per_epoch) * plan_.batch;
    return double(epoch_index(k)) + double(into) / double(n_);
  }
  double rate(Index k) const { return schedule_(long(k), long(epoch_index(k))); }
  void step(Index k) { opt_.step(x_, g_, T(constant_rate_ ? 1.0 : rate(k))); }

  // The steps of a deterministic first-order run up to the next logging point or limit need
  // none of visit()'s cases: the gradient, one check against the loss limits, the update. A 2-D
  // step costs nanoseconds, so visit()'s bookkeeping would cost as much as the step; the loss
  // and its minimum stay in locals, as stores into the summary on every step cost more than the
  // arithmetic. Returns the next iteration for visit().
  Index lean_steps(Index k) {
    const Index until = lean_until(k), start = k;
    const double diverge = diverge_limit_, target = target_loss_;
    double loss = s_.final_loss, best = s_.best_loss;
    for (; k < until; ++k) {
      loss = full_eval<T>(p_, x_, g_);
      if (!(loss < diverge && loss > target)) [[unlikely]]
        break;
      best = std::min(best, loss);
      step(k);
    }
    s_.grad_evals += k - start;
    if (!eval_) {  // otherwise the run's loss is measured at the evaluation point, by observe()
      s_.final_loss = loss;
      s_.best_loss = best;
    }
    if (k == until) return k;
    // Diverged or reached the target at k: the full observation, then on as visit() would.
    observe(k, loss, false);
    s_.iters = k;
    if (s_.status != Status::ok) return k;
    ++s_.grad_evals;
    step(k);
    return k + 1;
  }

  // Where visit() must take over: the next logging point (which includes the last step), the
  // gradient budget, the next clock check.
  Index lean_until(Index k) const {
    Index until = log_.next();
    const Index evals_left = max_evals_ - s_.grad_evals;  // >= 0: visit() ends the run at 0
    if (evals_left < until - k) until = k + evals_left;
    if (set_.budget.seconds > 0) until = std::min(until, (k + 63) / 64 * 64);
    return until;
  }

  // Measures and logs iterate k and fills g_ for step k + 1; false when the run ends here.
  bool visit(Index k) {
    s_.iters = k;
    const bool logging = log_.due(k);
    const bool last = k == plan_.steps || out_of_budget(k);
    // A deterministic gradient brings the loss at x_k with it, so logging costs nothing
    // extra; a stochastic one needs a separate full evaluation at logging points.
    double loss = 0;
    bool fresh = true;  // a new gradient evaluation, not one the oracle already made
    if (!stochastic_ || logging || last) {
      fresh = !with_oracle_ || !recall(loss);
      if (fresh) loss = full_eval<T>(p_, x_, measured_);
      observe(k, loss, logging || last);
    }
    if (last || s_.status != Status::ok) return false;
    std::span<const Index> batch;
    if (stochastic_) {
      batch = batches_.batch(k, plan_.steps_per_epoch);
      loss = sample_eval<T>(p_, x_, batch, noise_, g_);
      if (!std::isfinite(loss)) {
        s_.status = Status::diverged;
        observe(k, full_eval<T>(p_, x_, measured_), true);
        return false;
      }
    }
    s_.grad_evals += fresh || stochastic_;
    if (with_oracle_) oracle_.begin_step(loss, batch, stochastic_);
    return true;
  }

  // The oracle's last full evaluation, when it was at x_k (oracle methods run in double only).
  bool recall(double& loss) {
    if constexpr (is_double<T>)
      return oracle_.recall(x_, measured_, loss);
    else
      return false;
  }

  bool loss_target() const { return set_.target && set_.target->kind != Target::Kind::test_acc; }

  bool out_of_budget(Index k) const {
    if (s_.grad_evals >= max_evals_) return true;
    return set_.budget.seconds > 0 && k % 64 == 0 && clock_.seconds() >= set_.budget.seconds;
  }

  // Every measured point: the common case (no logging, no divergence, target not yet met) is
  // two comparisons against limits fixed at the start, since a 2-D step costs only nanoseconds.
  void observe(Index k, double loss, bool logging) {
    if (eval_) [[unlikely]]
      return observe_eval(k, loss, logging);
    s_.final_loss = loss;
    s_.best_loss = std::min(s_.best_loss, loss);
    const bool ok = std::isfinite(loss) && loss < diverge_limit_;
    if (logging || k == 0 || !ok || loss <= target_loss_) [[unlikely]]
      observe_closely(k, loss, loss, logging);
  }

  // An optimizer with an evaluation point: the iterate's loss decides divergence; the loss at the
  // evaluation point, measured only at logging points and where a target is checked (an extra
  // evaluation that the gradient count leaves out, as it spends nothing of the optimizer's), is
  // the run's loss.
  void observe_eval(Index k, double loss, bool logging) {
    const bool ok = std::isfinite(loss) && loss < diverge_limit_;
    const bool pending = target_loss_ > -std::numeric_limits<double>::infinity();  // not yet met
    if (!(logging || k == 0 || !ok || pending)) return;
    opt_.eval_point(x_, eval_x_);
    const double judged = full_eval<T>(p_, eval_x_, eval_g_);
    s_.final_loss = judged;
    s_.best_loss = std::min(s_.best_loss, judged);
    observe_closely(k, loss, judged, logging);
  }

  // loss: at the iterate; judged: at the evaluation point (the same for most optimizers).
  void observe_closely(Index k, double loss, double judged, bool logging) {
    if (k == 0) set_limits(loss);
    if (!std::isfinite(loss) || !(loss < diverge_limit_) || !std::isfinite(judged))
      s_.status = Status::diverged;
    double test_acc = std::numeric_limits<double>::quiet_NaN();
    if (logging || s_.status != Status::ok) test_acc = record(k, loss, judged);
    const bool met =
        judged <= target_loss_ || (set_.target && set_.target->kind == Target::Kind::test_acc &&
                                   test_acc >= set_.target->value);
    if (met && !s_.iters_to_target) {
      s_.iters_to_target = k;
      s_.evals_to_target = s_.grad_evals;
      s_.epochs_to_target = epoch(k);
      s_.time_to_target_s = clock_.seconds();
      target_loss_ = -std::numeric_limits<double>::infinity();  // met once is enough
    }
  }

  // The loss above which the run has diverged (loss − f* > factor × its start gap; +∞ when
  // off, so only NaN and ∞ count) and the loss at or below which the target is met (−∞ when
  // the target is not a loss level).
  void set_limits(double start_loss) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    const double start_gap = std::max(std::abs(start_loss - fstar_), 1e-300);
    diverge_limit_ = set_.diverge_factor > 0 ? fstar_ + set_.diverge_factor * start_gap : inf;
    target_loss_ = -inf;
    if (!set_.target) return;
    const double v = set_.target->value;
    switch (set_.target->kind) {
      case Target::Kind::gap:
        target_loss_ = fstar_ + v;
        break;
      case Target::Kind::rel_gap:
        target_loss_ = fstar_ + v * start_gap;
        break;
      case Target::Kind::loss:
        target_loss_ = v;
        break;
      case Target::Kind::test_acc:
        break;
    }
  }

  // Appends a trace point; returns its test accuracy (NaN without a test set), which is measured
  // at the evaluation point.
  double record(Index k, double loss, double judged) {
    if (!r_.trace.empty() && r_.trace.back().iter == k) return r_.trace.back().test_acc;
    TracePoint& tp = r_.trace.emplace_back(
        TracePoint{k, epoch(k), s_.grad_evals, clock_.seconds(), loss, judged, norm_of(measured_)});
    if (p_.has_test_set()) {
      const auto test = test_eval<T>(p_, eval_ ? eval_x_ : x_);
      tp.test_loss = s_.final_test_loss = test.loss;
      tp.test_acc = s_.final_test_acc = test.accuracy;
    }
    if (set_.record_x) r_.xs.push_back(x_.template cast<double>());
    return tp.test_acc;
  }

  const Problem& p_;
  Optimizer<T>& opt_;
  const Schedule& schedule_;
  const RunSettings& set_;
  const StepPlan plan_;
  const Index n_;
  const bool stochastic_;
  Vec<T> x_, g_, full_g_;
  VecRef<T> measured_;  // g_ or full_g_: the buffer that holds the full gradient at x_k
  const bool constant_rate_;
  Batches batches_;
  Rng noise_;
  LogSchedule log_;
  const double fstar_;
  double diverge_limit_ = std::numeric_limits<double>::infinity();
  double target_loss_ = -std::numeric_limits<double>::infinity();
  Summary s_;
  RunResult r_;
  Clock clock_;
  RunOracle oracle_;
  bool with_oracle_ = false;
  const bool eval_;         // the optimizer has an evaluation point
  Vec<T> eval_x_, eval_g_;  // that point, and a gradient buffer for measuring the loss there
  const Index max_evals_ = set_.budget.grad_evals > 0 ? set_.budget.grad_evals
                                                      : std::numeric_limits<Index>::max();
};

}  // namespace

RunResult run(const Problem& problem, Optimizer<double>& optimizer, const Schedule& schedule,
              const RunSettings& settings) {
  return Runner<double>(problem, optimizer, schedule, settings).run();
}

RunResult run(const Problem& problem, Optimizer<float>& optimizer, const Schedule& schedule,
              const RunSettings& settings) {
  if (!problem.has_float()) throw UsageError(no_float_path(problem.spec()));
  return Runner<float>(problem, optimizer, schedule, settings).run();
}

Target::Kind parse_target_kind(std::string_view name) {
  for (auto k :
       {Target::Kind::gap, Target::Kind::rel_gap, Target::Kind::loss, Target::Kind::test_acc})
    if (name == to_string(k)) return k;
  throw UsageError(
      fmt::format("unknown target '{}' (targets: gap, rel_gap, loss, test_acc)", name));
}

const char* to_string(Target::Kind k) {
  switch (k) {
    case Target::Kind::gap:
      return "gap";
    case Target::Kind::rel_gap:
      return "rel_gap";
    case Target::Kind::loss:
      return "loss";
    case Target::Kind::test_acc:
      return "test_acc";
  }
  return "?";
}

}  // namespace descent
