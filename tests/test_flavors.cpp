// Flavors: every framework's version of an optimizer (`flavor=`). Each is checked against a NumPy
// transcription of that framework's source (tests/golden/flavors/, scripts/flavor_refs.py) to
// 1e-12 over 200 steps; the declarations themselves (the keys a flavor sets, explicit keys
// winning, the errors) are checked here too.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "lib/optimizer_registry.hpp"
#include "lib/spec.hpp"
#include "tests/cli_runner.hpp"
#include "tests/golden.hpp"

using namespace descent;
using namespace descent::testing;

namespace {

const std::vector<std::string> kFrameworks = {"torch", "optax", "keras", "ensmallen"};

std::vector<const OptimizerEntry*> with_flavors() {
  std::vector<const OptimizerEntry*> out;
  for (const auto& e : optimizer_registry())
    if (has_flavors(e)) out.push_back(&e);
  return out;
}

}  // namespace

TEST_CASE("the issue's optimizers have flavors, torch first and default", "[flavors]") {
  std::set<std::string> names;
  for (const auto* e : with_flavors()) {
    names.insert(e->info.name);
    REQUIRE(e->info.flavors.front().name == "torch");
    CHECK(e->info.flavors.front().sets.empty());  // torch is the defaults
    CHECK(parse_optimizer(e->info.name).text(std::string(kFlavorKey)) == "torch");
    for (const Flavor& f : e->info.flavors)
      CHECK(std::find(kFrameworks.begin(), kFrameworks.end(), f.name) != kFrameworks.end());
  }
  CHECK(names == std::set<std::string>{"adam", "adamw", "rmsprop", "adagrad", "adadelta",
                                       "momentum", "nesterov", "nadam", "adamax"});
}

TEST_CASE("a flavor sets its keys where the spec does not give them", "[flavors]") {
  for (const auto* e : with_flavors())
    for (const Flavor& f : e->info.flavors) {
      const Params p = parse_optimizer(e->info.name + ":flavor=" + f.name);
      for (const auto& [key, value] : f.sets) {
        INFO(e->info.name << " flavor " << f.name << " key " << key);
        const Params given = parse_optimizer(e->info.name + ":" + key + "=" + value);
        CHECK(p.canonical().find(key + "=" + value) != std::string::npos);
        CHECK(given.canonical() != parse_optimizer(e->info.name).canonical());
      }
    }
  const Params keras = parse_optimizer("rmsprop:flavor=keras,lr=0.01,eps_in_sqrt=0");
  CHECK(keras.real("lr") == 0.01);  // given: wins over Keras's 1e-3
  CHECK_FALSE(keras.flag("eps_in_sqrt"));
  CHECK(keras.real("alpha") == 0.9);  // not given: Keras's
  CHECK(keras.real("eps") == 1e-7);
  CHECK(keras.flag("rate_in_buffer"));
  CHECK(parse_optimizer("adagrad:flavor=optax").real("initial_accumulator") == 0.1);
  CHECK(parse_optimizer("adamw:flavor=keras").real("weight_decay") == 0.004);
  CHECK(parse_optimizer("adamw").real("weight_decay") == 1e-2);
  CHECK(parse_optimizer("nadam:flavor=keras").real("momentum_decay") == 1);
  CHECK(parse_optimizer("momentum:flavor=ensmallen").real("momentum") == 0.5);
  CHECK(parse_optimizer("momentum:flavor=ensmallen").text("variant") == "cs231n");
}

TEST_CASE("an unknown flavor or a flavor where there is none is a usage error", "[flavors]") {
  CHECK_THROWS_WITH(parse_optimizer("rmsprop:flavor=jax"),
                    Catch::Contains("torch|optax|keras|ensmallen") && Catch::Contains("'jax'"));
  // ensmallen has no AdamW: the message lists the three it has.
  CHECK_THROWS_WITH(parse_optimizer("adamw:flavor=ensmallen"),
                    Catch::Contains("torch|optax|keras (got 'ensmallen')"));
  CHECK_THROWS_WITH(parse_optimizer("sgd:flavor=keras"),
                    Catch::Contains("'sgd' has no flavors") && Catch::Contains("rmsprop"));
  const Outcome r = run_descent("run -p quadratic -o lion:flavor=optax --iters 2");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::StartsWith("error: ") && Catch::Contains("has no flavors"));
  const Outcome u = run_descent("run -p quadratic -o adam:flavor=tf --iters 2");
  CHECK(u.status == 2);
  CHECK_THAT(u.err, Catch::StartsWith("error: ") && Catch::Contains("torch|optax|keras|ensmallen"));
}

TEST_CASE("every flavor reproduces its framework's formula to 1e-12", "[flavors][golden]") {
  const auto cases = golden_set("flavors/");
  REQUIRE(cases.size() >= 80);
  std::set<std::string> covered;  // optimizer/flavor pairs with a case on both problems
  std::map<std::string, std::set<std::string>> problems;
  for (const auto& c : cases) {
    const Spec s = parse_spec(c.optimizer);
    const Params p = parse_optimizer(c.optimizer);
    problems[s.name + "/" + p.text(std::string(kFlavorKey))].insert(c.problem);
    DYNAMIC_SECTION("case " << c.id << ": " << c.optimizer << " " << c.schedule << " on "
                            << c.problem) {
      REQUIRE(c.iters == 200);
      const auto ours = replay(c);
      REQUIRE(ours.losses.size() == c.losses.size());
      CHECK(max_relative_error(ours.losses, c.losses) <= 1e-12);
    }
  }
  for (const auto* e : with_flavors())
    for (const Flavor& f : e->info.flavors) {
      INFO(e->info.name << " flavor " << f.name);
      CHECK(problems[e->info.name + "/" + f.name].size() == 2);
    }
}

TEST_CASE("flavors change the trajectory where their forms differ", "[flavors]") {
  // A reference set in which two flavors gave the same losses would not test the difference.
  const auto cases = golden_set("flavors/");
  std::map<std::string, std::vector<double>> final_loss;  // optimizer spec without flavor
  for (const auto& c : cases) {
    if (!c.schedule.empty() && c.schedule != "constant") continue;
    const Params p = parse_optimizer(c.optimizer);
    if (parse_spec(c.optimizer).name != "adam" || c.problem != "rosenbrock") continue;
    final_loss[p.text(std::string(kFlavorKey))].push_back(c.losses.back());
  }
  REQUIRE(final_loss.count("torch"));
  REQUIRE(final_loss.count("keras"));
  CHECK(final_loss["torch"].front() != final_loss["keras"].front());
}
