#include "problems/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "lib/optimizer_registry.hpp"
#include "problems/beale.hpp"
#include "problems/factorization.hpp"
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

// `shape=RxC`: two whole numbers >= 1.
std::pair<Index, Index> parse_shape(const Params& p) {
  const std::string& text = p.text("shape");
  const auto x = text.find('x');
  double r = 0, c = 0;
  if (x == std::string::npos || !parse_double(text.substr(0, x), r) ||
      !parse_double(text.substr(x + 1), c) || r < 1 || c < 1 || r != std::floor(r) ||
      c != std::floor(c))
    throw UsageError(
        fmt::format("problem spec '{}': key 'shape' must be RxC with whole R, C >= 1 "
                    "(got '{}')",
                    p.canonical(), text));
  return {Index(r), Index(c)};
}

// An analytic problem also takes `shape=RxC`: the same function, its vector viewed as one
// matrix by the optimizer (muon, shampoo, soap, adafactor).
template <class P>
ProblemEntry analytic() {
  ProblemEntry e = problem_entry<P>();
  e.info.keys.push_back(
      text_key("shape", "", "view x as one R×C matrix (row-major, R·C = dim) for the optimizer"));
  e.make = [make = e.make](const Params& p, std::uint64_t seed) {
    auto problem = make(p, seed);
    if (p.has("shape")) {
      const auto [rows, cols] = parse_shape(p);
      problem->view_as(rows, cols);
    }
    return problem;
  };
  return e;
}

const ProblemEntry& find_problem(const Spec& s) {
  const auto& all = problem_registry();
  auto it =
      std::find_if(all.begin(), all.end(), [&](const auto& e) { return e.info.name == s.name; });
  if (it != all.end()) return *it;
  std::vector<std::string> names;
  for (const auto& e : all) names.push_back(e.info.name);
  throw UsageError(fmt::format("problem spec '{}': unknown problem '{}' (known: {}; {})", s.text,
                               s.name, fmt::join(names, ", "), kPluginHint));
}

// The table, which register_problem extends.
std::vector<ProblemEntry>& all_problems() {
  static std::vector<ProblemEntry> all = {
      // One line per problem.
      // clang-format off
      analytic<Quadratic>(),
      analytic<NoisyQuadratic>(),
      analytic<Rosenbrock>(),
      analytic<Beale>(),
      analytic<Saddle>(),
      analytic<Rastrigin>(),
      problem_entry<Factorization>(),
      problem_entry<LogReg>(),
      problem_entry<Softmax>(),
      problem_entry<Mlp>(),
      // clang-format on
  };
  return all;
}

}  // namespace

const std::vector<ProblemEntry>& problem_registry() { return all_problems(); }

void register_problem(ProblemEntry e) {
  for (const auto& taken : problem_registry())
    if (taken.info.name == e.info.name)
      throw UsageError(
          fmt::format("problem '{}' is already registered ({})", e.info.name, taken.origin));
  e.origin = registrant();
  all_problems().push_back(std::move(e));
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
