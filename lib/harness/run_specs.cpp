#include "lib/harness/run_specs.hpp"

#include <fmt/format.h>

#include "lib/optimizer_registry.hpp"
#include "problems/registry.hpp"

namespace descent {

Dtype dtype_option(const std::string& text) {
  try {
    return parse_dtype(text);
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("--dtype: {}", e.what()));
  }
}

SpecRun::SpecRun(const std::string& optimizer, const std::string& schedule)
    : params_(parse_optimizer(optimizer)), schedule_(Schedule::parse(schedule)) {}

SpecRun::SpecRun(const std::string& problem, const std::string& optimizer,
                 const std::string& schedule, std::uint64_t seed, Dtype dtype)
    : SpecRun(optimizer, schedule) {
  owned_ = make_problem(problem, seed);
  problem_ = owned_.get();
  make_for(*problem_, dtype);
}

SpecRun::SpecRun(const Problem& problem, const std::string& optimizer, const std::string& schedule,
                 Dtype dtype)
    : SpecRun(optimizer, schedule) {
  problem_ = &problem;
  make_for(problem, dtype);
}

// The optimizer for the problem's blocks in the dtype's scalar; a usage error names the problem
// (and for float32 what has no float path).
void SpecRun::make_for(const Problem& problem, Dtype dtype) {
  try {
    if (dtype == Dtype::float64) {
      optimizer_ = make_optimizer<double>(params_, problem.layout());
      return;
    }
    if (!problem.has_float())
      throw UsageError(
          fmt::format("dtype float32 with optimizer '{}': the problem has no float "
                      "path (the data problems have one)",
                      params_.name()));
    optimizer_f_ = make_optimizer<float>(params_, problem.layout());
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("problem '{}': {}", problem.spec(), e.what()));
  }
}

RunResult SpecRun::run(const RunSettings& settings) {
  if (optimizer_f_) return descent::run(*problem_, *optimizer_f_, schedule_, settings);
  return descent::run(*problem_, *optimizer_, schedule_, settings);
}

}  // namespace descent
