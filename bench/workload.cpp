// descent_workload: runs one fixed, named workload, for scripts/instructions_gate.sh to count
// its instructions under callgrind. Instruction counts do not depend on the machine's load, so
// unlike timings they can gate CI without flaking.
//
//   descent_workload --list      every workload name, one per line
//   descent_workload NAME        runs it; prints the name and a checksum of the result
//
// Only the workload itself is counted: set-up (problem instances, data files, allocation)
// happens before CALLGRIND_START_INSTRUMENTATION, so run under
// `valgrind --tool=callgrind --instr-atstart=no`. Outside valgrind the macros do nothing.
#include <fmt/format.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "bench/harness_run.hpp"
#include "lib/harness/experiment.hpp"
#include "lib/harness/sweep.hpp"
#include "lib/optimizer_registry.hpp"
#include "problems/registry.hpp"

namespace descent {
namespace {

// What is counted: prepared outside the instrumented region, returns a checksum that keeps the
// compiler from dropping the work and shows, when printed, that the workload did something.
using Body = std::function<double()>;

struct Workload {
  std::string name;
  std::function<Body()> prepare;
};

// Large enough that the step dominates the loop's overhead, small enough for callgrind (about
// a second each); 4096 doubles per vector stay in L2, as in a small model's update.
constexpr Index kStepDim = 4096;
constexpr int kSteps = 200;

Body prepare_step(const std::string& optimizer) {
  auto opt = std::shared_ptr(make_optimizer<double>(parse_optimizer(optimizer), kStepDim));
  auto x = std::make_shared<VecX>(VecX::LinSpaced(kStepDim, -1.0, 1.0));
  auto g = std::make_shared<VecX>(x->array().sin().matrix());
  return [opt, x, g] {
    for (int k = 0; k < kSteps; ++k) opt->step(*x, *g);
    return x->squaredNorm();
  };
}

// Full-batch gradients at the start point, one spec per kind of problem: dense linear algebra,
// a scalar chained function, a linear model on data, a neural network on data.
const char* const kGradientSpecs[] = {"quadratic:dim=100,rotate=1", "rosenbrock:dim=100",
                                      "logreg:data=breast_cancer", "mlp:data=digits"};
constexpr int kGradients = 20;

Body prepare_gradient(const std::string& spec) {
  std::shared_ptr<const Problem> problem = make_problem(spec, 0);
  auto x = std::make_shared<VecX>(problem->initial_point(0));
  auto g = std::make_shared<VecX>(problem->dim());
  return [problem, x, g] {
    double sum = 0;
    for (int k = 0; k < kGradients; ++k) sum += problem->loss_grad(*x, *g);
    return sum + g->sum();
  };
}

// MLP training steps (digits, 64 hidden units, mini-batches of 64, Adam) in double or float:
// the float32 path's products and kernels, against the same steps in double.
constexpr int kMlpSteps = 20;

template <class T>
Body prepare_mlp_step() {
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  std::shared_ptr<const Problem> problem = make_problem("mlp:data=digits,hidden=64", 0);
  auto opt = std::shared_ptr(make_optimizer<T>(parse_optimizer("adam:lr=1e-3"), problem->dim()));
  auto x = std::make_shared<Vec>(problem->initial_point(0).cast<T>());
  auto g = std::make_shared<Vec>(problem->dim());
  auto rows = std::make_shared<std::vector<Index>>(64 * kMlpSteps);
  for (std::size_t i = 0; i < rows->size(); ++i) (*rows)[i] = Index(i * 7 % problem->samples());
  return [problem, opt, x, g, rows] {
    Rng rng(1);
    double sum = 0;
    for (int k = 0; k < kMlpSteps; ++k) {
      const std::span<const Index> batch(rows->data() + 64 * k, 64);
      if constexpr (std::is_same_v<T, double>)
        sum += problem->sample_loss_grad(*x, batch, rng, *g);
      else
        sum += problem->sample_loss_grad_f32(*x, batch, rng, *g);
      opt->step(*x, *g);
    }
    return sum;
  };
}

// The run loop's own overhead: a run whose step costs tens of instructions, so the loop's
// bookkeeping (logging, target and divergence checks, the calls) shows in the count.
Body prepare_run() {
  auto harness_run = std::make_shared<bench::HarnessRun>(20000);
  return [harness_run] { return (*harness_run)().summary.final_loss; };
}

// A short sweep through the whole harness: expansion, the run loop, CSV, best.csv, meta.json.
const char* const kSweep = R"(
name = "workload"
problems = ["quadratic:dim=20,cond=100,rotate=1", "rosenbrock"]
seeds = 2
budget = { iters = 1000 }
target = { gap = 1e-8 }
log = { points = 50 }
[optimizers.sgd]
lr = { logspace = [1e-3, 1e-2], n = 3 }
[optimizers.adam]
lr = { logspace = [1e-3, 1e-1], n = 3 }
)";

Body prepare_sweep() {
  auto experiment = std::make_shared<Experiment>(parse_experiment(kSweep, "workload.toml"));
  const auto dir =
      std::filesystem::temp_directory_path() / ("descent_workload_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return [experiment, dir] {
    SweepOptions o;
    o.threads = 1;
    o.out = dir;
    o.quiet = true;
    const SweepOutcome r = run_sweep(*experiment, o);
    std::filesystem::remove_all(dir);
    return double(r.ok);
  };
}

bool problem_exists(const std::string& spec) {
  const std::string name = spec.substr(0, spec.find(':'));
  const auto& all = problem_registry();
  return std::any_of(all.begin(), all.end(), [&](const auto& e) { return e.info.name == name; });
}

// Problems of the fixed list that are not registered (yet) are left out, not failed.
std::vector<Workload> workloads() {
  std::vector<Workload> all;
  for (const auto& e : optimizer_registry()) {
    if (!steps_at_defaults_on_a_vector(e)) continue;
    const std::string name = e.info.name;
    all.push_back({"step:" + name, [name] { return prepare_step(name); }});
  }
  for (const std::string spec : kGradientSpecs)
    if (problem_exists(spec))
      all.push_back({"gradient:" + spec, [spec] { return prepare_gradient(spec); }});
  all.push_back({"mlp_step:float64", prepare_mlp_step<double>});
  all.push_back({"mlp_step:float32", prepare_mlp_step<float>});
  all.push_back({"run:adam:rosenbrock", prepare_run});
  all.push_back({"sweep", prepare_sweep});
  return all;
}

int run_workload(const std::string& name) {
  const auto all = workloads();
  const auto it =
      std::find_if(all.begin(), all.end(), [&](const Workload& w) { return w.name == name; });
  if (it == all.end())
    throw UsageError(fmt::format("unknown workload '{}' (descent_workload --list)", name));
  const Body body = it->prepare();
  CALLGRIND_START_INSTRUMENTATION;
  const double checksum = body();
  CALLGRIND_STOP_INSTRUMENTATION;
  fmt::print("{} {:.17g}\n", name, checksum);
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 2) throw UsageError("usage: descent_workload --list | NAME");
  const std::string arg = argv[1];
  if (arg != "--list") return run_workload(arg);
  for (const auto& w : workloads()) fmt::print("{}\n", w.name);
  return 0;
}

}  // namespace
}  // namespace descent

int main(int argc, char** argv) { return descent::guarded_main(descent::main, argc, argv); }
