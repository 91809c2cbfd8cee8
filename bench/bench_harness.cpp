// The harness's own costs: a step inside the run loop against a bare hand-written loop, and
// whole sweeps at 1 and 2 threads.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <utility>

#include "bench/harness_run.hpp"
#include "lib/harness/experiment.hpp"
#include "lib/harness/sweep.hpp"

namespace descent {
namespace {

constexpr Index kSteps = 100000;

// Each iteration of the loop benchmarks below takes kSteps steps: report the time per step.
void count_steps(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * kSteps);
  state.counters["ns_per_step"] =
      benchmark::Counter(double(state.iterations() * kSteps),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Adam's step size α/(1 − β1^t) and root scale 1/√(1 − β2^t), computed eight steps at a time as
// lib/optimizers/adam.hpp does. Computed step by step, their root and two divisions queue on the
// divider in front of the update's own and cost about 8 ns of a 2-D step: the loops below would
// then be no floor for the harness.
class Corrections {
 public:
  // The pair of the next step.
  std::pair<double, double> next() {
    if (next_ == kBlock) refill();
    const int j = next_++;
    return {step_[j], root_scale_[j]};
  }

 private:
  void refill() {
    double b1t[kBlock], b2t[kBlock];
    for (int j = 0; j < kBlock; ++j) {
      b1t[j] = beta1_t_ *= kBeta1;
      b2t[j] = beta2_t_ *= kBeta2;
    }
    for (int j = 0; j < kBlock; ++j) {
      step_[j] = kLr * (1 / (1 - b1t[j]));
      root_scale_[j] = 1 / std::sqrt(1 - b2t[j]);
    }
    next_ = 0;
  }

  static constexpr int kBlock = 8;
  static constexpr double kLr = 1e-3, kBeta1 = 0.9, kBeta2 = 0.999;
  double beta1_t_ = 1, beta2_t_ = 1, step_[kBlock] = {}, root_scale_[kBlock] = {};
  int next_ = kBlock;
};

// Adam on 2-D Rosenbrock with everything inlined: the floor for one step (gradient + update).
void BM_BareLoop(benchmark::State& state) {
  for (auto _ : state) {
    double x[2] = {-1.2, 1.0}, m[2] = {0, 0}, v[2] = {0, 0}, f = 0;
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    Corrections corrections;
    for (Index k = 0; k < kSteps; ++k) {
      const double r = x[1] - x[0] * x[0], s = 1 - x[0];
      f = 100 * r * r + s * s;
      const double g[2] = {-400 * x[0] * r - 2 * s, 200 * r};
      const auto [step, root_scale] = corrections.next();
      for (int i = 0; i < 2; ++i) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        x[i] -= step * m[i] / (std::sqrt(v[i]) * root_scale + eps);
      }
    }
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(x);
  }
  count_steps(state);
}
BENCHMARK(BM_BareLoop)->Unit(benchmark::kMillisecond);

// The same two computations as separate functions that pass x and g through memory, as any
// harness with interchangeable problems and optimizers must: the floor for such a design. The
// difference to BM_BareLoop is the memory round trip of x and g (store, then a dependent load)
// on the step's critical path, not the harness.
[[gnu::noinline]] double rosenbrock_2d(const double* x, double* g) {
  const double r = x[1] - x[0] * x[0], s = 1 - x[0];
  g[0] = -400 * x[0] * r - 2 * s;
  g[1] = 200 * r;
  return 100 * r * r + s * s;
}

struct AdamState {
  double m[2] = {0, 0}, v[2] = {0, 0};
  Corrections corrections;
};

[[gnu::noinline]] void adam_2d(double* x, const double* g, AdamState& st) {
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const auto [step, root_scale] = st.corrections.next();
  for (int i = 0; i < 2; ++i) {
    st.m[i] = b1 * st.m[i] + (1 - b1) * g[i];
    st.v[i] = b2 * st.v[i] + (1 - b2) * g[i] * g[i];
    x[i] -= step * st.m[i] / (std::sqrt(st.v[i]) * root_scale + eps);
  }
}

void BM_CallLoop(benchmark::State& state) {
  for (auto _ : state) {
    double x[2] = {-1.2, 1.0}, g[2], f = 0;
    AdamState st;
    for (Index k = 0; k < kSteps; ++k) {
      f = rosenbrock_2d(x, g);
      adam_2d(x, g, st);
    }
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(x);
  }
  count_steps(state);
}
BENCHMARK(BM_CallLoop)->Unit(benchmark::kMillisecond);

// The same through the harness: registry optimizer, virtual problem, schedule, 100 log-spaced
// logging points, target check, divergence check.
void run_loop(benchmark::State& state, const std::string& optimizer, bool target) {
  bench::HarnessRun harness_run(kSteps, optimizer, target);
  for (auto _ : state) benchmark::DoNotOptimize(harness_run());
  count_steps(state);
}
void BM_RunLoop(benchmark::State& state) { run_loop(state, "adam:lr=1e-3", true); }
BENCHMARK(BM_RunLoop)->Unit(benchmark::kMillisecond);

// Schedule-free AdamW through the run loop: the loss at its evaluation point x costs one more
// evaluation where it is measured. With a target that is every step (its lean path is off);
// without one, only the 100 logging points. BM_RunLoop_adamw is the same loop for an optimizer
// judged at its iterate, for comparison.
void BM_RunLoop_sfadamw(benchmark::State& state, bool target) {
  run_loop(state, "sfadamw:lr=1e-3", target);
}
BENCHMARK_CAPTURE(BM_RunLoop_sfadamw, target, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RunLoop_sfadamw, no_target, false)->Unit(benchmark::kMillisecond);
void BM_RunLoop_adamw(benchmark::State& state) { run_loop(state, "adamw:lr=1e-3", true); }
BENCHMARK(BM_RunLoop_adamw)->Unit(benchmark::kMillisecond);

// A sweep of 120 runs (rotated 100-D quadratics, 4 optimizers × 5 rates × 6 seeds, about
// 10 ms each), output files included; runs per second at 1 and 2 threads.
const char* const kSweep = R"(
name = "bench"
problems = ["quadratic:dim=100,cond=100,rotate=1"]
seeds = 6
budget = { iters = 5000 }
target = { gap = 1e-8 }
log = { points = 50 }
[optimizers.sgd]
lr = { logspace = [1e-3, 1e-2], n = 5 }
[optimizers.adam]
lr = { logspace = [1e-3, 1e-1], n = 5 }
[optimizers.adam_amsgrad]
optimizer = "adam"
amsgrad = 1
lr = { logspace = [1e-3, 1e-1], n = 5 }
[optimizers.sgd_clip]
optimizer = "sgd"
clip = 1
lr = { logspace = [1e-3, 1e-2], n = 5 }
)";

// Many small runs: 1,000 runs of 2,000 steps on 2-D problems, where a run costs tens of
// microseconds and anything the threads share (the output lock, allocation) shows.
const char* const kSmallSweep = R"(
name = "bench_small"
problems = ["rosenbrock", "beale"]
seeds = 10
budget = { iters = 2000 }
log = { points = 50 }
[optimizers.sgd]
lr = { logspace = [1e-4, 1e-2], n = 10 }
[optimizers.momentum]
lr = { logspace = [1e-4, 1e-2], n = 10 }
[optimizers.nesterov]
lr = { logspace = [1e-4, 1e-2], n = 10 }
[optimizers.rmsprop]
lr = { logspace = [1e-4, 1e-2], n = 10 }
[optimizers.adam]
lr = { logspace = [1e-3, 1e-1], n = 10 }
)";

// Mini-batch MLP runs on digits, where each run builds its data problem once per thread.
const char* const kMlpSweep = R"(
name = "bench_mlp"
problems = ["mlp:data=digits,hidden=64"]
seeds = 4
budget = { iters = 300 }
batch = 64
log = { points = 20 }
[optimizers.adam]
lr = [1e-3, 3e-3]
[optimizers.momentum]
lr = [1e-2, 3e-2]
)";

// BM_Sweep/<sweep>/<threads>: the whole sweep (runs, CSV, best.csv, meta.json) per iteration;
// the ratio of the 1- and 2-thread times is the sweep's scaling.
void BM_Sweep(benchmark::State& state, const char* text) {
  const Experiment e = parse_experiment(text, "bench.toml");
  const auto dir =
      std::filesystem::temp_directory_path() / ("descent_bm_sweep_" + std::to_string(getpid()));
  SweepOptions o;
  o.threads = int(state.range(0));
  o.out = dir;
  o.quiet = true;
  std::size_t runs = 0;
  for (auto _ : state) {
    std::filesystem::remove_all(dir);
    runs += run_sweep(e, o).ran;
  }
  std::filesystem::remove_all(dir);
  state.counters["runs_per_s"] = benchmark::Counter(double(runs), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_Sweep, quadratic, kSweep)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK_CAPTURE(BM_Sweep, small, kSmallSweep)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK_CAPTURE(BM_Sweep, mlp, kMlpSweep)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
}  // namespace descent
