// lib/schedule: the documented multipliers.
#include <catch2/catch.hpp>
#include <cmath>

#include "lib/schedule.hpp"

using namespace descent;
using Catch::Matchers::Contains;

TEST_CASE("schedules give the documented multipliers", "[schedule]") {
  CHECK(Schedule::parse("constant")(7, 0) == 1.0);
  const Schedule step = Schedule::parse("step:every=10,gamma=0.5");
  CHECK(step(9, 0) == 1.0);
  CHECK(step(10, 0) == 0.5);
  CHECK(step(25, 0) == 0.25);
  CHECK(Schedule::parse("exp:gamma=0.9")(2, 0) == Approx(0.81).epsilon(1e-15));
  CHECK(Schedule::parse("exp:k=0.5")(2, 0) == Approx(std::exp(-1.0)).epsilon(1e-15));
  CHECK(Schedule::parse("inverse:k=0.1")(10, 0) == Approx(0.5).epsilon(1e-15));
  const Schedule cosine = Schedule::parse("cosine:steps=100,min=0.1");
  CHECK(cosine(0, 0) == Approx(1.0));
  CHECK(cosine(50, 0) == Approx(0.55));
  CHECK(cosine(100, 0) == Approx(0.1));
  CHECK(cosine(500, 0) == Approx(0.1));
  const Schedule warm = Schedule::parse("constant:warmup=4");
  CHECK(warm(0, 0) == 0.25);
  CHECK(warm(3, 0) == 1.0);
  CHECK(warm(9, 0) == 1.0);
  const Schedule per_epoch = Schedule::parse("inverse:k=1,unit=epoch");
  CHECK(per_epoch(1000, 3) == 0.25);
  CHECK_THROWS_WITH(Schedule::parse("exp"),
                    Catch::Contains("exactly one of key 'gamma' and key 'k'"));
  CHECK_THROWS_WITH(Schedule::parse("exp:gamma=0.9,k=1"), Catch::Contains("exactly one"));
  CHECK_THROWS_WITH(Schedule::parse("step:every=0"), Catch::Contains("key 'every' must be >= 1"));
  CHECK_THROWS_WITH(Schedule::parse("linear"), Catch::Contains("unknown schedule 'linear'"));
}
