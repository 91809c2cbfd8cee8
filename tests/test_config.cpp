// lib/config.hpp: keys bound to Config members, read from checked Params.
#include <catch2/catch.hpp>

#include "lib/config.hpp"
#include "lib/optimizer_registry.hpp"
#include "lib/optimizers/lbfgs.hpp"
#include "lib/optimizers/momentum.hpp"

using namespace descent;
using Catch::Matchers::Contains;

namespace {

enum class Shape { round, square };

struct Example {
  double rate;
  int count;
  bool on;
  Shape shape;
  static Fields<Example> fields() {
    using C = Example;
    return {real_key(&C::rate, "rate", "0.5", "a rate", Range::positive),
            int_key(&C::count, "count", "3", "a count", Range::at_least_one),
            flag_key(&C::on, "on", "1", "a flag"),
            choice_key(&C::shape, "shape", "round", "a shape",
                       {{"round", Shape::round}, {"square", Shape::square}})};
  }
};

Example read(const std::string& spec) {
  return read_config<Example>(bind_spec(parse_spec(spec), keys_of<Example>(), "example"));
}

}  // namespace

TEST_CASE("a Config reads each declared key into its member, defaults included", "[config]") {
  const Example d = read("example");
  CHECK(d.rate == 0.5);
  CHECK(d.count == 3);
  CHECK(d.on);
  CHECK(d.shape == Shape::round);
  const Example e = read("example:rate=2,count=7,on=0,shape=square");
  CHECK(e.rate == 2);
  CHECK(e.count == 7);
  CHECK_FALSE(e.on);
  CHECK(e.shape == Shape::square);
}

TEST_CASE("the declared keys are what a spec is checked against", "[config]") {
  const auto keys = keys_of<Example>();
  REQUIRE(keys.size() == 4);
  CHECK(keys[3].kind == Kind::choice);
  CHECK(keys[3].choices == std::vector<std::string>{"round", "square"});
  CHECK_THROWS_WITH(read("example:shape=oval"), Contains("round|square"));
  CHECK_THROWS_WITH(read("example:rate=-1"), Contains("'rate'"));
}

TEST_CASE("optimizers read their choice keys as enums and share key groups", "[config]") {
  const auto momentum =
      read_config<MomentumConfig>(parse_optimizer("momentum:variant=cs231n,momentum=0.5"));
  CHECK(momentum.variant == MomentumForm::cs231n);
  CHECK(momentum.momentum == 0.5);
  // Adam's moment keys, declared once, appear in adam, adamw and nadam in the same words.
  for (const char* name : {"adam", "adamw", "nadam"}) {
    const auto& keys = find_optimizer(name).keys;
    const auto beta2 =
        std::find_if(keys.begin(), keys.end(), [](const Key& k) { return k.name == "beta2"; });
    REQUIRE(beta2 != keys.end());
    CHECK(beta2->help == "second-moment decay β2");
  }
  // A member struct's keys (the Wolfe conditions) and a Config's check() of their combination.
  const auto lbfgs = read_config<LbfgsConfig>(parse_optimizer("lbfgs:c2=0.5,history=4"));
  CHECK(lbfgs.wolfe.c2 == 0.5);
  CHECK(lbfgs.wolfe.c1 == 1e-4);
  CHECK(lbfgs.history == 4);
  CHECK_THROWS_WITH(read_config<LbfgsConfig>(parse_optimizer("lbfgs:c1=0.95")),
                    Contains("'c1' must be below c2"));
}
