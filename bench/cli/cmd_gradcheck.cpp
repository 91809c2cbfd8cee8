#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/cli/commands.hpp"
#include "lib/limits.hpp"
#include "problems/gradcheck.hpp"
#include "problems/registry.hpp"

namespace descent::cli {
namespace {

struct GradCheckArgs {
  std::string problem, mask = "off";
  std::string seed = "0";  // read by to_seed: exact digits, no wrap
  int points = 3;
  std::vector<double> steps;
};

const std::map<std::string, GradCheckMask> kMasks = {
    {"off", GradCheckMask::off}, {"fresh", GradCheckMask::fresh}, {"fixed", GradCheckMask::fixed}};

CLI::App* add(CLI::App& app, GradCheckArgs& a) {
  auto* cmd = app.add_subcommand(
      "gradcheck", "Check a problem's gradient and Hessian against finite differences");
  cmd->add_option("-p,--problem", a.problem, "Problem spec, e.g. logreg:data=digits")->required();
  cmd->add_option("--seed", a.seed, "Seed of the problem instance and the check points")
      ->capture_default_str();
  cmd->add_option("--points", a.points, "Random points around the start point")
      ->check(positive_count<int>())
      ->capture_default_str();
  cmd->add_option("--mask", a.mask,
                  "Dropout masks: off (the full objective), fresh (new masks at every "
                  "evaluation) or fixed (one draw for all)")
      ->check(CLI::IsMember(kMasks))
      ->capture_default_str();
  cmd->add_option("--steps", a.steps,
                  "Instead of the check: the one-sided and central differences' errors at "
                  "these steps h, e.g. 1e-2,1e-4,1e-6")
      ->delimiter(',')
      ->check(positive_real());
  return cmd;
}

// The difference table: no verdict, the errors against h (problems/gradcheck.hpp).
int print_steps(const Problem& problem, const GradCheckOptions& options,
                const std::vector<double>& steps) {
  fmt::print("step,one_sided,central\n");
  for (const StepError& e : difference_errors(problem, options, steps))
    fmt::print("{:g},{:.3e},{:.3e}\n", e.step, e.one_sided, e.central);
  return 0;
}

int run_gradcheck(const GradCheckArgs& a) {
  const std::uint64_t seed = to_seed(a.seed, "--seed");
  const auto problem = make_problem(a.problem, seed);
  GradCheckOptions options;
  options.points = a.points;
  options.seed = seed;
  options.mask = kMasks.at(a.mask);
  if (!a.steps.empty()) return print_steps(*problem, options, a.steps);
  const GradCheckResult r = gradcheck(*problem, options);
  fmt::print("problem    {}\n", problem->spec());
  if (options.mask != GradCheckMask::off) fmt::print("masks      {}\n", a.mask);
  fmt::print("points     {} x {} {}\n", r.points, r.directions,
             r.coordinates ? "coordinate directions" : "random directions");
  fmt::print("gradient   {:.3e} (largest normwise relative error)\n", r.gradient_error);
  if (r.hessian_error) fmt::print("hessian    {:.3e}\n", *r.hessian_error);
  // Differences at h and h/2 that disagree: a kink, or (fresh masks) a function that changes.
  if (r.nonsmooth > 0)
    fmt::print("skipped    {} directions {}\n", r.nonsmooth,
               options.mask == GradCheckMask::fresh
                   ? "whose differences disagree (the masks change between evaluations)"
                   : "across a kink");
  fmt::print("result     {} (tolerance {:g})\n", r.passed ? "ok" : "FAILED", options.tolerance);
  return r.passed ? 0 : 1;
}

}  // namespace

void add_gradcheck_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<GradCheckArgs>();
  add(app, *args)->callback([args, &action] { action = [args] { return run_gradcheck(*args); }; });
}

}  // namespace descent::cli
