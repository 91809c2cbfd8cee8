#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "bench/cli/commands.hpp"
#include "problems/gradcheck.hpp"
#include "problems/registry.hpp"

namespace descent::cli {
namespace {

struct GradCheckArgs {
  std::string problem;
  std::uint64_t seed = 0;
  int points = 3;
};

CLI::App* add(CLI::App& app, GradCheckArgs& a) {
  auto* cmd = app.add_subcommand(
      "gradcheck", "Check a problem's gradient and Hessian against finite differences");
  cmd->add_option("-p,--problem", a.problem, "Problem spec, e.g. logreg:data=digits")->required();
  cmd->add_option("--seed", a.seed, "Seed of the problem instance and the check points")
      ->capture_default_str();
  cmd->add_option("--points", a.points, "Random points around the start point")
      ->check(positive_count<int>())
      ->capture_default_str();
  return cmd;
}

int run_gradcheck(const GradCheckArgs& a) {
  const auto problem = make_problem(a.problem, a.seed);
  GradCheckOptions options;
  options.points = a.points;
  options.seed = a.seed;
  const GradCheckResult r = gradcheck(*problem, options);
  fmt::print("problem    {}\n", problem->spec());
  fmt::print("points     {} x {} {}\n", r.points, r.directions,
             r.coordinates ? "coordinate directions" : "random directions");
  fmt::print("gradient   {:.3e} (largest normwise relative error)\n", r.gradient_error);
  if (r.hessian_error) fmt::print("hessian    {:.3e}\n", *r.hessian_error);
  if (r.nonsmooth > 0) fmt::print("skipped    {} directions across a kink\n", r.nonsmooth);
  fmt::print("result     {} (tolerance {:g})\n", r.passed ? "ok" : "FAILED", options.tolerance);
  return r.passed ? 0 : 1;
}

}  // namespace

void add_gradcheck_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<GradCheckArgs>();
  add(app, *args)->callback([args, &action] { action = [args] { return run_gradcheck(*args); }; });
}

}  // namespace descent::cli
