// One run from specs, as the tests write it: problem instance and run from the same seed.
#pragma once

#include <string>

#include "lib/optimizer_registry.hpp"
#include "lib/run.hpp"
#include "problems/registry.hpp"

namespace descent::testing {

inline RunResult run_spec(const std::string& problem, const std::string& optimizer,
                          const RunSettings& s, const std::string& schedule = "constant") {
  const auto p = make_problem(problem, s.seed);
  auto o = make_optimizer<double>(parse_optimizer(optimizer), p->dim());
  return run(*p, *o, Schedule::parse(schedule), s);
}

}  // namespace descent::testing
