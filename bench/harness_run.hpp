// The run whose per-step cost BM_RunLoop times and descent_workload's run:adam:rosenbrock counts
// in instructions: Adam on 2-D Rosenbrock through the run loop, with 100 log-spaced logging
// points, a target it does not reach and a divergence check, so that every per-step check is on.
#pragma once

#include <memory>

#include "lib/optimizer_registry.hpp"
#include "lib/run.hpp"
#include "problems/registry.hpp"

namespace descent::bench {

struct HarnessRun {
  std::unique_ptr<Problem> problem = make_problem("rosenbrock", 0);
  std::unique_ptr<Optimizer<double>> adam =
      make_optimizer<double>(parse_optimizer("adam:lr=1e-3"), 2);
  RunSettings settings;

  explicit HarnessRun(Index steps) {
    settings.budget.iters = steps;
    settings.log.points = 100;
    settings.diverge_factor = 1e6;
    settings.target = Target{Target::Kind::gap, 1e-12};
  }
  RunResult operator()() const { return run(*problem, *adam, Schedule(), settings); }
};

}  // namespace descent::bench
