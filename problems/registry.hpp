// Every test problem by name. Adding one: write problems/<name>.hpp (a class deriving from
// Problem with a static `info()` and a constructor from (Params, instance seed)) and add its
// line to the table in registry.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/problem.hpp"
#include "lib/spec.hpp"

namespace descent {

struct ProblemEntry {
  ProblemInfo info;
  std::function<std::unique_ptr<Problem>(const Params&, std::uint64_t)> make;
};

const std::vector<ProblemEntry>& problem_registry();

Params parse_problem(std::string_view spec);
// The problem instance for a seed: rotations, data splits and the like are drawn from it.
std::unique_ptr<Problem> make_problem(const Params& params, std::uint64_t seed);
std::unique_ptr<Problem> make_problem(std::string_view spec, std::uint64_t seed);

}  // namespace descent
