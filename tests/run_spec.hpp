// One run from specs, as the tests write it: problem instance and run from the same seed.
#pragma once

#include <string>

#include "lib/harness/run_specs.hpp"

namespace descent::testing {

inline RunResult run_spec(const std::string& problem, const std::string& optimizer,
                          const RunSettings& s, const std::string& schedule = "constant") {
  return SpecRun(problem, optimizer, schedule, s.seed).run(s);
}

}  // namespace descent::testing
