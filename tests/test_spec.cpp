#include <catch2/catch.hpp>

#include "lib/optimizer_registry.hpp"
#include "lib/schedule.hpp"
#include "lib/spec.hpp"
#include "problems/registry.hpp"

using namespace descent;

TEST_CASE("a spec splits into name and key=value pairs", "[spec]") {
  const Spec s = parse_spec("adam:lr=1e-3, beta1=0.9");
  CHECK(s.name == "adam");
  REQUIRE(s.args.size() == 2);
  CHECK(s.args[0] == std::pair<std::string, std::string>{"lr", "1e-3"});
  CHECK(s.args[1] == std::pair<std::string, std::string>{"beta1", "0.9"});
  CHECK(parse_spec("sgd").args.empty());
}

TEST_CASE("bad spec syntax is a UsageError naming the spec", "[spec]") {
  CHECK_THROWS_WITH(parse_spec("adam:lr"),
                    Catch::Contains("adam:lr") && Catch::Contains("key=value"));
  CHECK_THROWS_WITH(parse_spec(":lr=1"), Catch::Contains("name"));
  CHECK_THROWS_WITH(parse_spec("adam:lr=1,lr=2"), Catch::Contains("'lr' given twice"));
  CHECK_THROWS_AS(parse_spec("adam:lr=1,"), UsageError);
}

TEST_CASE("binding fills defaults and keeps given values", "[spec]") {
  const Params p = parse_optimizer("adam:lr=0.01,amsgrad=1");
  CHECK(p.real("lr") == 0.01);
  CHECK(p.real("beta2") == 0.999);
  CHECK(p.flag("amsgrad"));
  CHECK_FALSE(parse_optimizer("adam").flag("amsgrad"));
  CHECK(p.canonical() ==
        "adam:flavor=torch,lr=0.01,beta1=0.9,beta2=0.999,eps=1e-8,amsgrad=1,amsgrad_of=raw,"
        "eps_form=corrected,eps_root=0,bias_correction=1,clip=0,"
        "weight_decay=0");
  CHECK(p.given().size() == 2);
}

TEST_CASE("binding rejects unknown keys, bad values and out-of-range values", "[spec]") {
  using Catch::Contains;
  CHECK_THROWS_WITH(parse_optimizer("adam:lr=1e-3,beta3=0.9"),
                    Contains("adam:lr=1e-3,beta3=0.9") && Contains("unknown key 'beta3'"));
  CHECK_THROWS_WITH(parse_optimizer("adam:lr=abc"), Contains("key 'lr' is not a number"));
  CHECK_THROWS_WITH(parse_optimizer("adam:lr=-1"), Contains("key 'lr' must be > 0"));
  CHECK_THROWS_WITH(parse_optimizer("adam:lr=0"), Contains("key 'lr' must be > 0"));
  CHECK_THROWS_WITH(parse_optimizer("adam:beta1=1"), Contains("key 'beta1' must be in [0, 1)"));
  CHECK_THROWS_WITH(parse_optimizer("adam:eps=0"), Contains("key 'eps' must be > 0"));
  CHECK_THROWS_WITH(parse_optimizer("adam:amsgrad=2"), Contains("key 'amsgrad' must be 0 or 1"));
  CHECK_THROWS_WITH(parse_optimizer("sgd:weight_decay=-0.1"),
                    Contains("key 'weight_decay' must be >= 0"));
  CHECK_THROWS_WITH(parse_optimizer("adamz:lr=1"), Contains("unknown optimizer 'adamz'"));
  CHECK_THROWS_WITH(parse_problem("quadratic:dim=2.5"),
                    Contains("key 'dim' is not a whole number"));
  CHECK_THROWS_WITH(parse_problem("quadratic:cond=0.5"), Contains("key 'cond' must be >= 1"));
  CHECK_THROWS_WITH(parse_problem("cubic"), Contains("unknown problem 'cubic'"));
  CHECK_THROWS_WITH(make_problem("rosenbrock:dim=1", 0), Contains("key 'dim' must be >= 2"));
}
