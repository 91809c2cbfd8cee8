// `descent inspect`: the quantities the course notes' claims are about, which a run's trace does
// not hold, as CSV on stdout (scripts/plot_course_claims.py reads them).
//
//   inspect layers  --problem mlp:...       per layer at the start point: the RMS of the hidden
//                                           activation and ‖∂f/∂W_l‖_F (the initialization claim)
//   inspect hessian --problem logreg:...    the Hessian's extreme eigenvalues and condition number
//                                           at the minimizer (or --at start); the normalization
//                                           claim
//   inspect steps   --problem P --optimizer O [--iters 50] [--batch B] [--schedule S]
//                                           per step: loss, ‖∇f‖ and ‖θ_t − θ_{t−1}‖ (bias
//                                           correction)
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <Eigen/Eigenvalues>
#include <cmath>
#include <memory>
#include <string>

#include "bench/cli/commands.hpp"
#include "lib/harness/run_specs.hpp"
#include "lib/limits.hpp"
#include "problems/classifier.hpp"
#include "problems/mlp.hpp"
#include "problems/registry.hpp"

namespace descent::cli {
namespace {

struct InspectArgs {
  std::string what, problem, optimizer, schedule = "constant", at = "optimum";
  std::string seed = "0";  // read by to_seed: exact digits, no wrap
  long iters = 50, batch = 0;
};

// An empty field for NaN (the output layer has no hidden activation), as the sweep's CSV.
std::string field(double v) { return std::isnan(v) ? "" : fmt::format("{:.17g}", v); }

int inspect_layers(const InspectArgs& a, std::uint64_t seed) {
  const auto problem = make_problem(a.problem, seed);
  const auto* mlp = dynamic_cast<const Mlp*>(problem.get());
  if (!mlp)
    throw UsageError(fmt::format("inspect layers: problem '{}' is not an mlp", problem->spec()));
  const VecX x = mlp->initial_point(derive_seed(seed, kStart));
  fmt::print("layer,in,out,activation_rms,grad_norm\n");
  Index l = 1;
  for (const Mlp::LayerStats& s : mlp->layer_stats(x))
    fmt::print("{},{},{},{},{}\n", l++, s.in, s.out, field(s.activation_rms), field(s.grad_norm));
  return 0;
}

int inspect_hessian(const InspectArgs& a, std::uint64_t seed) {
  const auto problem = make_problem(a.problem, seed);
  if (!problem->has_hessian())
    throw UsageError(fmt::format("inspect hessian: problem '{}' has no Hessian", problem->spec()));
  VecX x = problem->initial_point(derive_seed(seed, kStart));
  if (a.at == "optimum") {
    const auto* c = dynamic_cast<const Classifier*>(problem.get());
    if (!c || !c->minimizer())
      throw UsageError(
          fmt::format("inspect hessian: problem '{}' has no computed minimizer (use --at start)",
                      problem->spec()));
    x = *c->minimizer();
  }
  MatX h(problem->dim(), problem->dim());
  problem->hessian(x, h);
  const VecX eig = Eigen::SelfAdjointEigenSolver<MatX>(h, Eigen::EigenvaluesOnly).eigenvalues();
  fmt::print("problem,at,dim,lambda_min,lambda_max,cond\n");
  fmt::print("\"{}\",{},{},{},{},{}\n", problem->spec(), a.at, problem->dim(), field(eig[0]),
             field(eig[eig.size() - 1]), field(eig[eig.size() - 1] / eig[0]));
  return 0;
}

int inspect_steps(const InspectArgs& a, std::uint64_t seed) {
  if (a.optimizer.empty()) throw UsageError("inspect steps: --optimizer is required");
  SpecRun spec(a.problem, a.optimizer, a.schedule, seed);
  if (a.batch > 0 && spec.problem().samples() == 0)
    throw UsageError(
        fmt::format("--batch: problem '{}' has no data samples", spec.problem().spec()));
  RunSettings settings;
  settings.budget.iters = a.iters;
  settings.batch = a.batch;
  settings.seed = seed;
  settings.record_x = true;  // every step is logged (log.every = 1): x at each step
  const RunResult r = spec.run(settings);
  fmt::print("iter,loss,grad_norm,step_norm\n");
  for (std::size_t k = 0; k < r.trace.size(); ++k) {
    const TracePoint& t = r.trace[k];
    const double step = k == 0 ? std::nan("") : (r.xs[k] - r.xs[k - 1]).norm();
    fmt::print("{},{},{},{}\n", t.iter, field(t.loss), field(t.grad_norm), field(step));
  }
  return 0;
}

CLI::App* add(CLI::App& app, InspectArgs& a) {
  auto* cmd = app.add_subcommand(
      "inspect", "Per-layer norms, the Hessian's conditioning or per-step step sizes, as CSV");
  cmd->add_option("what", a.what, "layers | hessian | steps")
      ->required()
      ->check(CLI::IsMember({"layers", "hessian", "steps"}));
  cmd->add_option("-p,--problem", a.problem, "Problem spec")->required();
  cmd->add_option("--seed", a.seed, "Seed of the problem instance and start point")
      ->capture_default_str();
  cmd->add_option("--at", a.at, "hessian: at the computed optimum or the start point")
      ->check(CLI::IsMember({"optimum", "start"}))
      ->capture_default_str();
  cmd->add_option("-o,--optimizer", a.optimizer, "steps: optimizer spec");
  cmd->add_option("-s,--schedule", a.schedule, "steps: learning-rate schedule spec")
      ->capture_default_str();
  cmd->add_option("--iters", a.iters, "steps: number of steps")
      ->check(positive_count<long>())
      ->capture_default_str();
  cmd->add_option("--batch", a.batch, "steps: samples per step (default: full batch)")
      ->check(positive_count<long>());
  return cmd;
}

int run_inspect(const InspectArgs& a) {
  const std::uint64_t seed = to_seed(a.seed, "--seed");
  if (a.what == "layers") return inspect_layers(a, seed);
  if (a.what == "hessian") return inspect_hessian(a, seed);
  return inspect_steps(a, seed);
}

}  // namespace

void add_inspect_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<InspectArgs>();
  add(app, *args)->callback([args, &action] { action = [args] { return run_inspect(*args); }; });
}

}  // namespace descent::cli
