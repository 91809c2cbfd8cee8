// An outside program: example EXPERIMENT.toml OUT_DIR runs the sweep into OUT_DIR.
#include <fmt/format.h>

#include "booth.hpp"
#include "lib/harness/sweep.hpp"
#include "lib/optimizer_registry.hpp"
#include "nsgdm.hpp"
#include "problems/registry.hpp"

int run(int argc, char** argv) {
  if (argc != 3) throw descent::UsageError("usage: example EXPERIMENT.toml OUT_DIR");
  descent::register_optimizer(descent::optimizer_entry<Nsgdm>());
  descent::register_problem(descent::problem_entry<Booth>());
  descent::SweepOptions options;
  options.out = argv[2];
  options.threads = 1;
  options.quiet = true;
  const descent::SweepOutcome r = descent::run_sweep(descent::load_experiment(argv[1]), options);
  fmt::print("{} runs, {} ok, {} diverged, {} errors -> {}\n", r.total, r.ok, r.diverged, r.errors,
             r.dir.string());
  return r.errors == 0 ? 0 : 1;
}

int main(int argc, char** argv) { return descent::guarded_main(run, argc, argv); }
