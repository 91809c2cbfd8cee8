// The run whose per-step cost BM_RunLoop times and descent_workload's run:adam:rosenbrock counts
// in instructions: Adam on 2-D Rosenbrock through the run loop, with 100 log-spaced logging
// points, a target it does not reach and a divergence check, so that every per-step check is on.
#pragma once

#include <string>

#include "lib/harness/run_specs.hpp"

namespace descent::bench {

struct HarnessRun {
  SpecRun spec;
  RunSettings settings;

  // Other optimizers, and no target, for the evaluation-point variants of BM_RunLoop.
  explicit HarnessRun(Index steps, const std::string& optimizer = "adam:lr=1e-3",
                      bool target = true)
      : spec("rosenbrock", optimizer, "constant", 0) {
    settings.budget.iters = steps;
    settings.log.points = 100;
    settings.diverge_factor = 1e6;
    if (target) settings.target = Target{Target::Kind::gap, 1e-12};
  }
  RunResult operator()() { return spec.run(settings); }
};

}  // namespace descent::bench
