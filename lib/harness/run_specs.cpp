#include "lib/harness/run_specs.hpp"

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
  optimizer_ = make_optimizer<double>(params_, problem_->dim());
}

SpecRun::SpecRun(const Problem& problem, const std::string& optimizer, const std::string& schedule)
    : SpecRun(optimizer, schedule) {
  problem_ = &problem;
  optimizer_ = make_optimizer<double>(params_, problem_->dim());
}

RunResult SpecRun::run(const RunSettings& settings) {
  return descent::run(*problem_, *optimizer_, schedule_, settings);
}

}  // namespace descent
