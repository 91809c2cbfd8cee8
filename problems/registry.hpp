// Every test problem by name. Adding one: write problems/<name>.hpp (a class deriving from
// Problem with a static `info()` and a constructor from (Params, instance seed)) and add its
// line to the table in registry.cpp. An outside project or a plugin (lib/plugin.hpp) adds its
// own with `register_problem(problem_entry<MyProblem>())`.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/problem.hpp"
#include "lib/rng.hpp"
#include "lib/spec.hpp"

namespace descent {

struct ProblemEntry {
  ProblemInfo info;
  std::function<std::unique_ptr<Problem>(const Params&, std::uint64_t)> make;
  std::string origin = "built in";  // or who registered it (registrant(), optimizer_registry.hpp)
};

// The built-in problems, then those registered.
const std::vector<ProblemEntry>& problem_registry();
// Adds a problem; a UsageError when its name is taken. Registration happens before anything
// runs (the registry is not locked).
void register_problem(ProblemEntry e);

// The entry of a problem class P, as the built-in table makes it: P derives from Problem, has a
// static info() and a constructor from (Params, instance seed), which is drawn from the run's.
template <class P>
ProblemEntry problem_entry() {
  return {P::info(),
          [](const Params& p, std::uint64_t seed) -> std::unique_ptr<Problem> {
            auto problem = std::make_unique<P>(p, derive_seed(seed, kInstance));
            problem->set_spec(p.canonical());
            return problem;
          },
          "built in"};
}

Params parse_problem(std::string_view spec);
// The problem instance for a seed: rotations, data splits and the like are drawn from it.
std::unique_ptr<Problem> make_problem(const Params& params, std::uint64_t seed);
std::unique_ptr<Problem> make_problem(std::string_view spec, std::uint64_t seed);

}  // namespace descent
