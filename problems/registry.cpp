#include "problems/registry.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "problems/beale.hpp"
#include "problems/logreg.hpp"
#include "problems/mlp.hpp"
#include "problems/noisy_quadratic.hpp"
#include "problems/quadratic.hpp"
#include "problems/rastrigin.hpp"
#include "problems/rosenbrock.hpp"
#include "problems/saddle.hpp"
#include "problems/softmax.hpp"

namespace descent {
namespace {

template <class P>
ProblemEntry entry() {
  return {P::info(), [](const Params& p, std::uint64_t seed) -> std::unique_ptr<Problem> {
            auto problem = std::make_unique<P>(p, derive_seed(seed, kInstance));
            problem->set_spec(p.canonical());
            return problem;
          }};
}

const ProblemEntry& find_problem(const Spec& s) {
  const auto& all = problem_registry();
  auto it =
      std::find_if(all.begin(), all.end(), [&](const auto& e) { return e.info.name == s.name; });
  if (it != all.end()) return *it;
  std::vector<std::string> names;
  for (const auto& e : all) names.push_back(e.info.name);
  throw UsageError(fmt::format("problem spec '{}': unknown problem '{}' (known: {})", s.text,
                               s.name, fmt::join(names, ", ")));
}

}  // namespace

const std::vector<ProblemEntry>& problem_registry() {
  static const std::vector<ProblemEntry> all = {
      // One line per problem.
      // clang-format off
      entry<Quadratic>(),
      entry<NoisyQuadratic>(),
      entry<Rosenbrock>(),
      entry<Beale>(),
      entry<Saddle>(),
      entry<Rastrigin>(),
      entry<LogReg>(),
      entry<Softmax>(),
      entry<Mlp>(),
      // clang-format on
  };
  return all;
}

Params parse_problem(std::string_view spec) {
  const Spec s = parse_spec(spec);
  return bind_spec(s, find_problem(s).info.keys, "problem");
}

std::unique_ptr<Problem> make_problem(const Params& params, std::uint64_t seed) {
  const Spec s{params.canonical(), params.name(), {}};
  return find_problem(s).make(params, seed);
}

std::unique_ptr<Problem> make_problem(std::string_view spec, std::uint64_t seed) {
  return make_problem(parse_problem(spec), seed);
}

}  // namespace descent
