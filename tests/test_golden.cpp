// Every reference trajectory (torch.optim, and the authors' code of the modern optimizers)
// reproduced to a relative error of 1e-9 at every step.
#include <algorithm>
#include <catch2/catch.hpp>

#include "lib/optimizer_registry.hpp"
#include "lib/spec.hpp"
#include "tests/golden.hpp"

using namespace descent;
using namespace descent::testing;

TEST_CASE("the golden set loads completely", "[golden]") {
  const auto cases = golden_cases();
  REQUIRE(cases.size() == 16 + 30);
  for (const auto& c : cases) {
    CHECK(c.losses.size() == std::size_t(c.iters + 1));
    if (c.set == "modern/") CHECK(c.eval_losses.size() == c.losses.size());
  }
}

TEST_CASE("golden trajectories of torch.optim are reproduced", "[golden]") {
  const auto cases = golden_cases();
  REQUIRE(cases.size() == 16 + 30);
  for (const auto& c : cases) {
    DYNAMIC_SECTION("case " << c.set << c.id << ": " << c.optimizer << " on " << c.problem) {
      const auto ours = replay(c);  // throws (and fails) for an optimizer that does not exist
      REQUIRE(ours.losses.size() == c.losses.size());
      CHECK(max_relative_error(ours.losses, c.losses) <= 1e-9);
      if (!c.eval_losses.empty())
        CHECK(max_relative_error(ours.eval_losses, c.eval_losses) <= 1e-9);
    }
  }
}

TEST_CASE("every optimizer of the registry has a golden trajectory", "[golden]") {
  // signSGD and Signum have no reference code: tests/test_optimizers.cpp checks their equations.
  const std::vector<std::string> by_equations = {"signsgd", "signum"};
  const auto cases = golden_cases();
  for (const auto& e : optimizer_registry()) {
    if (std::find(by_equations.begin(), by_equations.end(), e.info.name) != by_equations.end())
      continue;
    INFO(e.info.name);
    CHECK(std::any_of(cases.begin(), cases.end(), [&](const GoldenCase& c) {
      return parse_spec(c.optimizer).name == e.info.name;
    }));
  }
}
