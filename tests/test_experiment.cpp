// lib/harness/experiment: experiment files, their expansion and their errors.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "lib/csv.hpp"
#include "lib/harness/best.hpp"
#include "lib/harness/columns.hpp"
#include "lib/harness/experiment.hpp"
#include "lib/harness/outputs.hpp"
#include "lib/harness/sweep.hpp"
#include "tests/sweep_fixtures.hpp"

using namespace descent;
using namespace descent::testing;

TEST_CASE("an experiment expands into the documented grid", "[experiment]") {
  const Experiment e = parse_experiment(kExperiment, "unit.toml");
  const auto runs = expand(e);
  // 2 problems × (3 sgd + 2 adam × 2 schedules) × 3 seeds
  REQUIRE(runs.size() == 2 * (3 + 4) * 3);
  CHECK(runs[0].label == "sgd");
  CHECK(runs[0].config == "sgd:lr=0.001,clip=0,weight_decay=0");
  CHECK(runs[3].config == "sgd:lr=0.01,clip=0,weight_decay=0");
  CHECK(runs[9].label == "adam");
  CHECK(runs[12].schedule == "cosine:steps=300");
  // Common random numbers: repetition r has the same seed for every configuration.
  CHECK(runs[0].seed == runs[3].seed);
  CHECK(runs[0].seed != runs[1].seed);
  CHECK(runs[0].seed == run_seed(e, 0));
}

TEST_CASE("random search is reproducible and stays in its ranges", "[experiment]") {
  const char* text = R"(
name = "random"
problems = ["quadratic"]
budget = { iters = 10 }
search = { method = "random", samples = 20 }
[optimizers.adam]
lr = { loguniform = [1e-4, 1e-1] }
beta1 = { uniform = [0.5, 0.99] }
amsgrad = [0, 1]
)";
  const auto a = expand(parse_experiment(text, "r.toml")),
             b = expand(parse_experiment(text, "r.toml"));
  REQUIRE(a.size() == 20);
  std::set<std::string> lrs, ams;
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].config == b[i].config);
    const auto hp = [&](const std::string& key) {
      for (const auto& [k, v] : a[i].hp)
        if (k == key) return v;
      FAIL("no key " << key);
      return std::string();
    };
    const double lr = std::stod(hp("lr")), beta1 = std::stod(hp("beta1"));
    CHECK(lr >= 1e-4);
    CHECK(lr <= 1e-1);
    CHECK(beta1 >= 0.5);
    CHECK(beta1 <= 0.99);
    lrs.insert(hp("lr"));
    ams.insert(hp("amsgrad"));
  }
  CHECK(lrs.size() == 20);
  CHECK(ams.size() == 2);
}

TEST_CASE("experiment file errors name the file, the key and the line", "[experiment]") {
  using Catch::Contains;
  const std::string head = "name = \"x\"\nproblems = [\"quadratic\"]\nbudget = { iters = 10 }\n";
  auto bad = [&](const std::string& tail) { return parse_experiment(head + tail, "x.toml"); };
  CHECK_THROWS_WITH(bad("[optimizers.adam]\nlr = -1\n"),
                    Contains("x.toml:5") && Contains("'lr' must be > 0"));
  // A key the optimizer requires may come from another line of its table; missing, it is named.
  CHECK(expand(bad("[optimizers.shampoo]\nlr = [0.1, 1]\neps = 1e-4\n")).size() == 2);
  CHECK_THROWS_WITH(expand(bad("[optimizers.shampoo]\nlr = [0.1, 1]\n")),
                    Contains("key 'eps' is required"));
  CHECK_THROWS_WITH(
      bad("[optimizers.adam]\nbeta3 = 0.9\n"),
      Contains("x.toml:5") && Contains("optimizers.adam.beta3") && Contains("no key 'beta3'"));
  CHECK_THROWS_WITH(bad("[optimizers.adamz]\nlr = 1\n"), Contains("unknown optimizer 'adamz'"));
  CHECK_THROWS_WITH(bad("colour = 1\n[optimizers.sgd]\n"),
                    Contains("x.toml:4") && Contains("'colour'"));
  CHECK_THROWS_WITH(bad("[optimizers.sgd]\nlr = { logspace = [1, 0.1], n = 3 }\n"),
                    Contains("low < high"));
  CHECK_THROWS_WITH(bad("[optimizers.sgd]\nlr = { loguniform = [1e-3, 1] }\n"),
                    Contains("search = { method = \"random\""));
  CHECK_THROWS_WITH(bad("[optimizers.sgd]\nschedule = \"exp:gamma=2,k=1\"\n"),
                    Contains("exactly one"));
  CHECK_THROWS_WITH(bad("target = { gapp = 1 }\n[optimizers.sgd]\n"),
                    Contains("unknown target 'gapp'"));
  CHECK_THROWS_WITH(bad("tune = { metric = \"speed\" }\n[optimizers.sgd]\n"),
                    Contains("unknown metric 'speed'"));
  CHECK_THROWS_WITH(bad("[optimizers.sgd\n"), Contains("x.toml:4"));
  CHECK_THROWS_WITH(bad("search = \"random\"\n[optimizers.sgd]\n"),
                    Contains("x.toml:4") && Contains("'search'"));
  CHECK_THROWS_WITH(bad("search = { method = \"bayes\" }\n[optimizers.sgd]\n"),
                    Contains("expected grid or random"));
  CHECK_THROWS_WITH(
      parse_experiment("name = \"x\"\nproblems = [\"quadratic\"]\n[optimizers.sgd]\n", "y.toml"),
      Contains("'budget'"));
  CHECK_THROWS_WITH(parse_experiment(head, "z.toml"), Contains("optimizers"));
  CHECK_THROWS_WITH(load_experiment("/nonexistent/e.toml"),
                    Contains("cannot read experiment file"));
}
