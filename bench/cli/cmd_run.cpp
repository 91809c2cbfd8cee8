#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bench/cli/commands.hpp"
#include "lib/harness/run_specs.hpp"
#include "lib/limits.hpp"
#include "lib/optimizer_registry.hpp"
#include "lib/trace_csv.hpp"

namespace descent::cli {
namespace {

struct RunArgs {
  std::string problem, optimizer, schedule = "constant", x0, trace, dtype = "float64";
  std::optional<long> iters;
  std::optional<double> epochs;
  long batch = 0, log_every = 1;
  std::string seed = "0";
  bool trace_x = false, exact = false;
};

CLI::App* add(CLI::App& app, RunArgs& a) {
  auto* cmd = app.add_subcommand("run", "Run one optimizer on one problem");
  cmd->add_option("-p,--problem", a.problem, "Problem spec, e.g. quadratic:dim=100,cond=1e3")
      ->required();
  cmd->add_option("-o,--optimizer", a.optimizer, "Optimizer spec, e.g. adam:lr=1e-3,beta1=0.9")
      ->required();
  cmd->add_option("-s,--schedule", a.schedule, "Learning-rate schedule spec")
      ->capture_default_str();
  auto* iters = cmd->add_option("--iters", a.iters, "Number of steps (default 1000)")
                    ->check(positive_count<long>());
  cmd->add_option("--epochs", a.epochs, "Passes over the training data instead of --iters")
      ->check(positive_real())
      ->excludes(iters);
  cmd->add_option("--batch", a.batch, "Samples per step for data problems (default: full batch)")
      ->check(positive_count<long>());
  cmd->add_option("--seed", a.seed,
                  "Seed of the problem instance, start point and batch order (0 to 2^64 − 1)")
      ->capture_default_str();
  cmd->add_option("--dtype", a.dtype,
                  "float64, or float32: parameters, gradients, optimizer state and products in "
                  "float (data problems, first-order optimizers)")
      ->capture_default_str();
  cmd->add_option("--x0", a.x0, "Start point as a,b,... (default: the problem's)");
  cmd->add_option("--log-every", a.log_every, "Log every K-th step into the trace")
      ->check(positive_count<long>())
      ->capture_default_str();
  cmd->add_option("--trace", a.trace, "Write the trace as CSV to this file");
  cmd->add_flag("--trace-x", a.trace_x, "Also write the iterate x into the trace (dim <= 3)");
  cmd->add_flag("--exact", a.exact,
                "Also print the final values exactly (hexadecimal floats) and a hash of x");
  return cmd;
}

VecX parse_point(const std::string& text) {
  std::vector<double> values;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    double v = 0;
    if (!parse_double(item, v)) throw UsageError(fmt::format("--x0: '{}' is not a number", item));
    values.push_back(v);
  }
  return Eigen::Map<VecX>(values.data(), static_cast<Index>(values.size()));
}

void print_summary(const SpecRun& spec, const RunResult& r) {
  const Summary& s = r.summary;
  const Problem& p = spec.problem();
  const Params& opt = spec.optimizer();
  fmt::print("problem    {}\noptimizer  {}\nschedule   {}\ndtype      {}\n", p.spec(),
             opt.canonical(), spec.schedule().spec(), to_string(spec.dtype()));
  fmt::print("status     {}\nsteps      {}\nepochs     {}\n", to_string(s.status), s.iters,
             s.epochs);
  fmt::print("evals      {} gradients{}\n", s.grad_evals,
             s.hess_evals ? fmt::format(", {} Hessians", s.hess_evals) : "");
  fmt::print("final loss {:.10g}\nbest loss  {:.10g}\n", s.final_loss, s.best_loss);
  // The loss above is where the run is judged, which is not the iterate for some optimizers.
  const std::string& at = find_optimizer(opt.name()).info.eval_point;
  if (!at.empty())
    fmt::print("judged at  {} (loss at the iterate: {:.10g})\n", at, r.trace.back().loss);
  if (auto fstar = p.optimum()) fmt::print("final gap  {:.6g}\n", s.final_loss - *fstar);
  fmt::print("time       {:.6f} s\n", s.time_s);
}

// FNV-1a over the bytes of x: equal exactly when every coordinate is bit for bit the same.
std::uint64_t fingerprint(const VecX& x) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  const auto* bytes = reinterpret_cast<const unsigned char*>(x.data());
  for (std::size_t i = 0; i < static_cast<std::size_t>(x.size()) * sizeof(double); ++i)
    h = (h ^ bytes[i]) * 0x100000001b3ULL;
  return h;
}

// The values that two builds or two CPUs must agree on bit for bit (scripts/exact_runs.py).
void print_exact(const RunResult& r) {
  fmt::print("exact final_loss {:a}\nexact best_loss  {:a}\n", r.summary.final_loss,
             r.summary.best_loss);
  fmt::print("exact grad_norm  {:a}\nexact x_hash     {:016x}\n", r.trace.back().grad_norm,
             fingerprint(r.x));
}

int run_run(const RunArgs& a) {
  const std::uint64_t seed = to_seed(a.seed, "--seed");
  if (a.iters && *a.iters > limits::steps)
    throw UsageError(
        fmt::format("--iters {}: at most {} (limit 'steps')", *a.iters, limits::steps));
  if (a.epochs && *a.epochs > limits::epochs)
    throw UsageError(
        fmt::format("--epochs {:g}: at most {:g} (limit 'epochs')", *a.epochs, limits::epochs));
  SpecRun spec(a.problem, a.optimizer, a.schedule, seed, dtype_option(a.dtype));
  const Problem& problem = spec.problem();
  RunSettings settings;
  settings.budget = a.epochs ? Budget{0, *a.epochs} : Budget{a.iters.value_or(1000), 0};
  settings.batch = a.batch;
  settings.seed = seed;
  settings.log.every = a.log_every;
  if (!a.x0.empty()) settings.x0 = parse_point(a.x0);
  if (a.batch > 0 && problem.samples() == 0)
    throw UsageError(fmt::format("--batch: problem '{}' has no data samples", problem.spec()));
  if (a.trace_x && problem.dim() > 3)
    throw UsageError(fmt::format("--trace-x: problem '{}' has dimension {} (at most 3)",
                                 problem.spec(), problem.dim()));
  settings.record_x = a.trace_x;
  const RunResult result = spec.run(settings);
  if (!a.trace.empty()) write_trace_csv(a.trace, problem, result);
  print_summary(spec, result);
  if (a.exact) print_exact(result);
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<RunArgs>();
  add(app, *args)->callback([args, &action] { action = [args] { return run_run(*args); }; });
}

}  // namespace descent::cli
