// Every reference trajectory (torch.optim, and the authors' code of the modern optimizers)
// reproduced to a relative error of 1e-9 at every step.
#include <catch2/catch.hpp>

#include "lib/optimizer_registry.hpp"
#include "lib/spec.hpp"
#include "tests/golden.hpp"

using namespace descent;
using namespace descent::testing;

TEST_CASE("the golden set loads completely", "[golden]") {
  const auto cases = golden_cases();
  REQUIRE(cases.size() == 16 + 18);
  for (const auto& c : cases) CHECK(c.losses.size() == std::size_t(c.iters + 1));
}

TEST_CASE("golden trajectories of torch.optim are reproduced", "[golden]") {
  const auto cases = golden_cases();
  REQUIRE(cases.size() == 16 + 18);
  for (const auto& c : cases) {
    DYNAMIC_SECTION("case " << c.set << c.id << ": " << c.optimizer << " on " << c.problem) {
      const auto ours = replay(c);  // throws (and fails) for an optimizer that does not exist
      REQUIRE(ours.size() == c.losses.size());
      CHECK(max_relative_error(ours, c.losses) <= 1e-9);
    }
  }
}

TEST_CASE("every optimizer of the registry has a golden trajectory", "[golden]") {
  const auto cases = golden_cases();
  for (const auto& e : optimizer_registry()) {
    INFO(e.info.name);
    CHECK(std::any_of(cases.begin(), cases.end(), [&](const GoldenCase& c) {
      return parse_spec(c.optimizer).name == e.info.name;
    }));
  }
}
