// The run loop: one problem, one optimizer, one schedule, one seed -> a trace and a summary.
// A run is a pure function of these inputs (timing columns aside).
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/optimizer.hpp"
#include "lib/problem.hpp"
#include "lib/schedule.hpp"

namespace descent {

// How long a run goes: one of iters, epochs and grad_evals fixes the number of steps;
// `seconds` adds a wall-clock limit (which makes the run depend on the machine's speed).
struct Budget {
  Index iters = 0;       // steps
  double epochs = 0;     // passes over the training data (steps for problems without data)
  Index grad_evals = 0;  // gradient evaluations spent by the optimizer
  double seconds = 0;    // wall-clock limit
};

// When a run counts as having converged, checked at every measured point (every step for
// deterministic gradients, every logging point for stochastic ones).
struct Target {
  enum class Kind { gap, rel_gap, loss, test_acc };
  Kind kind = Kind::gap;
  double value = 0;
};
Target::Kind parse_target_kind(std::string_view name);  // throws UsageError
const char* to_string(Target::Kind k);

// Which iterations are logged: every k-th, or about `points` log-spaced ones. The first and the
// last iteration are always logged.
struct LogPlan {
  Index every = 1;
  Index points = 0;  // > 0: log-spaced instead of every k-th
};

// The scalar of a run's iterate, gradients, optimizer state and products: float64 (double), or
// float32 (float) for the problems and optimizers with a float path; the losses, the trace and
// the summary are double either way.
enum class Dtype { float64, float32 };
Dtype parse_dtype(std::string_view name);  // throws UsageError
const char* to_string(Dtype d);
// The message for float32 on a problem (named by `spec`) without a float path.
std::string no_float_path(std::string_view spec);

struct RunSettings {
  Budget budget;
  Index batch = 0;  // samples per step; 0 or >= samples: full batch
  std::uint64_t seed = 0;
  LogPlan log;
  std::optional<VecX> x0;     // overrides the problem's start point
  double diverge_factor = 0;  // > 0: stop when loss − f* exceeds this multiple of its start
  bool record_x = false;      // keep x at each logged point
  std::optional<Target> target;
};

struct TracePoint {
  Index iter;
  double epoch;
  Index grad_evals;
  double time_s;
  double loss;       // at the iterate, where the gradient is taken
  double eval_loss;  // at the optimizer's evaluation point (= loss for most optimizers)
  double grad_norm;
  double test_loss = std::numeric_limits<double>::quiet_NaN();  // problems with a test set
  double test_acc = std::numeric_limits<double>::quiet_NaN();
};

enum class Status { ok, diverged, error };
const char* to_string(Status s);

struct Summary {
  Status status = Status::ok;
  Index iters = 0;
  double epochs = 0;
  Index grad_evals = 0;  // gradient evaluations spent by the optimizer (line searches included)
  Index hess_evals = 0;
  // The loss that judges the run: at the optimizer's evaluation point (eval_loss), which is the
  // iterate except for optimizers that keep an average (schedule-free, ASGD).
  double final_loss = 0;
  double best_loss = 0;  // the lowest measured (such optimizers: at logging points only)
  double time_s = 0;
  double final_test_loss = std::numeric_limits<double>::quiet_NaN();
  double final_test_acc = std::numeric_limits<double>::quiet_NaN();
  // Where the target was first met; empty when never.
  std::optional<Index> iters_to_target, evals_to_target;
  std::optional<double> epochs_to_target, time_to_target_s;
};

struct RunResult {
  std::vector<TracePoint> trace;
  std::vector<VecX> xs;  // with record_x: x at each trace point
  Summary summary;
  VecX x;  // the final iterate
};

// The number of steps the budget buys and how many steps make an epoch.
struct StepPlan {
  Index steps;
  Index steps_per_epoch;
  Index batch;  // effective batch size (the sample count for full batch)
};
StepPlan plan_steps(const Problem& problem, const RunSettings& settings);

RunResult run(const Problem& problem, Optimizer<double>& optimizer, const Schedule& schedule,
              const RunSettings& settings);
// A float32 run; a UsageError (no_float_path) when the problem has no float path.
RunResult run(const Problem& problem, Optimizer<float>& optimizer, const Schedule& schedule,
              const RunSettings& settings);

}  // namespace descent
