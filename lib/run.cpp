#include "lib/run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

namespace descent {

const char* to_string(Status s) {
  switch (s) {
    case Status::ok: return "ok";
    case Status::diverged: return "diverged";
    case Status::error: return "error";
  }
  return "?";
}

StepPlan plan_steps(const Problem& problem, const RunSettings& s) {
  const Index n = problem.samples();
  const Index batch = (n == 0 || s.batch <= 0 || s.batch >= n) ? std::max<Index>(n, 1) : s.batch;
  const Index per_epoch = n == 0 ? 1 : (n + batch - 1) / batch;
  if ((s.budget.iters > 0) == (s.budget.epochs > 0))
    throw UsageError("give exactly one budget: iterations or epochs, and it must be > 0");
  const Index steps = s.budget.iters > 0
                          ? s.budget.iters
                          : static_cast<Index>(std::llround(s.budget.epochs * double(per_epoch)));
  return {steps, per_epoch, batch};
}

namespace {

// Iterations to log: every k-th, or log-spaced; always the first and the last.
class LogSchedule {
 public:
  LogSchedule(const LogPlan& plan, Index last) : every_(std::max<Index>(plan.every, 1)), last_(last) {
    if (plan.points <= 0) return;
    const double top = std::log(static_cast<double>(std::max<Index>(last, 1)));
    for (Index j = 0; j < plan.points; ++j) {
      const double e = top * static_cast<double>(j) / static_cast<double>(std::max<Index>(plan.points - 1, 1));
      points_.push_back(std::llround(std::exp(e)));
    }
    points_.push_back(0);
    points_.push_back(last);
    std::sort(points_.begin(), points_.end());
    points_.erase(std::unique(points_.begin(), points_.end()), points_.end());
  }
  bool due(Index k) {
    if (points_.empty()) return k % every_ == 0 || k == last_;
    if (next_ < points_.size() && points_[next_] == k) return ++next_, true;
    return false;
  }

 private:
  Index every_, last_;
  std::vector<Index> points_;
  std::size_t next_ = 0;
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

}  // namespace

RunResult run(const Problem& problem, Optimizer<double>& optimizer, const Schedule& schedule,
              const RunSettings& settings) {
  const StepPlan plan = plan_steps(problem, settings);
  const Index n = problem.samples();
  RunResult r;
  r.x = settings.x0 ? *settings.x0 : problem.initial_point(derive_seed(settings.seed, kStart));
  if (r.x.size() != problem.dim())
    throw UsageError(fmt::format("start point has {} coordinates, problem '{}' has {}", r.x.size(),
                                 problem.spec(), problem.dim()));
  optimizer.reset();
  // For a deterministic gradient the loss at x_k comes with the gradient for step k + 1, so
  // logging costs no extra evaluation; stochastic gradients need a separate full evaluation.
  const bool full_batch = n > 0 && plan.batch >= n;
  const bool stochastic = problem.stochastic() && !full_batch;
  VecX g(problem.dim()), full_g(stochastic ? problem.dim() : 0);
  VecOut measured = stochastic ? VecOut(full_g) : VecOut(g);
  Batches batches(n, plan.batch, derive_seed(settings.seed, kBatches));
  Rng noise(derive_seed(settings.seed, kNoise));
  LogSchedule log(settings.log, plan.steps);
  const double fstar = problem.optimum().value_or(0.0);
  double start_gap = 0;
  Summary& s = r.summary;
  s.best_loss = std::numeric_limits<double>::infinity();
  Clock clock;
  auto record = [&](Index k, double epoch, double loss) {
    if (!r.trace.empty() && r.trace.back().iter == k) return;
    TracePoint& p = r.trace.emplace_back(
        TracePoint{k, epoch, s.grad_evals, clock.seconds(), loss, measured.norm()});
    if (problem.has_test_set()) {
      const auto test = problem.test_metrics(r.x);
      p.test_loss = test.loss;
      p.test_acc = test.accuracy;
    }
    if (settings.record_x) r.xs.push_back(r.x);
  };
  for (Index k = 0;; ++k) {
    const Index epoch_index = k / plan.steps_per_epoch;
    const Index into_epoch = (k % plan.steps_per_epoch) * plan.batch;
    const double epoch = n == 0 ? double(k) : double(epoch_index) + double(into_epoch) / double(n);
    s.iters = k;
    s.epochs = epoch;
    const bool logging = log.due(k);
    if (!stochastic || logging) {
      const double loss = problem.loss_grad(r.x, measured);
      s.final_loss = loss;
      s.best_loss = std::min(s.best_loss, loss);
      if (k == 0) start_gap = std::max(std::abs(loss - fstar), 1e-300);
      const bool blown = settings.diverge_factor > 0 && loss - fstar > settings.diverge_factor * start_gap;
      if (!std::isfinite(loss) || blown) s.status = Status::diverged;
      if (logging || s.status != Status::ok) record(k, epoch, loss);
    }
    if (k == plan.steps || s.status != Status::ok) break;
    if (stochastic) {
      const auto batch = batches.batch(k, plan.steps_per_epoch);
      if (!std::isfinite(problem.sample_loss_grad(r.x, batch, noise, g))) {
        s.status = Status::diverged;
        s.final_loss = problem.loss_grad(r.x, measured);
        record(k, epoch, s.final_loss);
        break;
      }
    }
    ++s.grad_evals;
    optimizer.step(r.x, g, schedule(static_cast<long>(k), static_cast<long>(epoch_index)));
  }
  s.time_s = clock.seconds();
  return r;
}

}  // namespace descent
