// Registering optimizers and problems from outside (lib/optimizer_registry.hpp,
// problems/registry.hpp): a taken name is refused, and the registries are left as they were.
// Registering a new name is the package test's (scripts/test_package.py): here it would add an
// optimizer to every test that walks the registry.
#include <catch2/catch.hpp>

#include "lib/optimizer_registry.hpp"
#include "lib/optimizers/adam.hpp"
#include "problems/beale.hpp"
#include "problems/registry.hpp"

using namespace descent;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

TEST_CASE("a taken optimizer name is a usage error naming its origin") {
  const std::size_t before = optimizer_registry().size();
  CHECK_THROWS_AS(register_optimizer(optimizer_entry<Adam>()), UsageError);
  CHECK_THROWS_WITH(register_optimizer(optimizer_entry<Adam>()),
                    Equals("optimizer 'adam' is already registered (built in)"));
  CHECK(optimizer_registry().size() == before);
}

TEST_CASE("a taken problem name is a usage error naming its origin") {
  const std::size_t before = problem_registry().size();
  CHECK_THROWS_WITH(register_problem(problem_entry<Beale>()),
                    Equals("problem 'beale' is already registered (built in)"));
  CHECK(problem_registry().size() == before);
}

TEST_CASE("an unknown name hints at --plugin") {
  CHECK_THROWS_WITH(find_optimizer("nsgdm"), Contains("--plugin"));
  CHECK_THROWS_WITH(parse_problem("booth"), Contains("--plugin"));
}

TEST_CASE("the helper builds an entry as the built-in table does") {
  const OptimizerEntry mine = optimizer_entry<Adam>();
  const OptimizerEntry& builtin = find_optimizer("adam");
  CHECK(mine.origin == "built in");
  REQUIRE(mine.keys.size() == builtin.keys.size());
  for (std::size_t i = 0; i < mine.keys.size(); ++i)
    CHECK(mine.keys[i].name == builtin.keys[i].name);
}
