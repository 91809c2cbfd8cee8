#include "lib/harness/run_specs.hpp"

#include <fmt/format.h>

#include "lib/optimizer_registry.hpp"
#include "problems/registry.hpp"

namespace descent {

SpecRun::SpecRun(const std::string& optimizer, const std::string& schedule)
    : params_(parse_optimizer(optimizer)), schedule_(Schedule::parse(schedule)) {}

SpecRun::SpecRun(const std::string& problem, const std::string& optimizer,
                 const std::string& schedule, std::uint64_t seed)
    : SpecRun(optimizer, schedule) {
  owned_ = make_problem(problem, seed);
  problem_ = owned_.get();
  optimizer_ = make_for(*problem_);
}

SpecRun::SpecRun(const Problem& problem, const std::string& optimizer, const std::string& schedule)
    : SpecRun(optimizer, schedule) {
  problem_ = &problem;
  optimizer_ = make_for(problem);
}

// The optimizer for the problem's blocks; a usage error names the problem.
std::unique_ptr<Optimizer<double>> SpecRun::make_for(const Problem& problem) const {
  try {
    return make_optimizer<double>(params_, problem.layout());
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("problem '{}': {}", problem.spec(), e.what()));
  }
}

RunResult SpecRun::run(const RunSettings& settings) {
  return descent::run(*problem_, *optimizer_, schedule_, settings);
}

}  // namespace descent
