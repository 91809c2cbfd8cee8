// lib/harness/sweep: determinism across threads, failures, the counts of each run.
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

TEST_CASE("a sweep gives the same results with 1 and 2 threads", "[sweep]") {
  const Experiment e = parse_experiment(kExperiment, "unit.toml");
  const fs::path one = fresh_dir("t1"), two = fresh_dir("t2");
  const SweepOutcome r1 = sweep(e, one, 1);
  sweep(e, two, 2);
  CHECK(r1.ran == 42);
  CHECK(r1.ok + r1.diverged == 42);
  check_same(one, two);
  CHECK(fs::exists(one / "meta.json"));
  CHECK(fs::exists(one / "experiment.toml"));
  CHECK_FALSE(fs::exists(one / "runs.partial.csv"));
  const CsvTable runs = read_csv(one / "runs.csv");
  REQUIRE(runs.rows.size() == 42);
  for (std::size_t i = 0; i < runs.rows.size(); ++i) CHECK(runs.rows[i][0] == std::to_string(i));
  fs::remove_all(one);
  fs::remove_all(two);
}

TEST_CASE("diverging and failing runs are recorded and the sweep finishes", "[sweep]") {
  const Experiment e = parse_experiment(R"(
name = "failures"
problems = ["quadratic:dim=2,cond=10", "rosenbrock:dim=1"]
budget = { iters = 200 }
diverge = 1e3
[optimizers.sgd]
lr = [0.01, 1.0]
)",
                                        "failures.toml");
  const fs::path dir = fresh_dir("fail");
  const SweepOutcome r = sweep(e, dir, 2);
  CHECK(r.ran == 4);
  CHECK(r.ok == 1);
  CHECK(r.diverged == 1);
  CHECK(r.errors == 2);
  const CsvTable t = read_csv(dir / "runs.csv");
  CHECK(t.rows[0][t.column("status")] == "ok");
  CHECK(t.rows[1][t.column("status")] == "diverged");
  CHECK(std::stoi(t.rows[1][t.column("iters")]) < 10);  // stopped early: loss × 1e3 passed
  CHECK(t.rows[2][t.column("status")] == "error");
  CHECK_THAT(t.rows[2][t.column("message")], Catch::Contains("key 'dim' must be >= 2"));
  CHECK(t.rows[2][t.column("final_loss")].empty());
  fs::remove_all(dir);
}

TEST_CASE("runs.csv counts the gradients and Hessians each run spent", "[sweep]") {
  const Experiment e = parse_experiment(R"(
name = "evals"
problems = ["quadratic:dim=3,cond=10"]
budget = { iters = 5 }
[optimizers.newton]
[optimizers.sgd]
lr = [0.01]
)",
                                        "evals.toml");
  const fs::path dir = fresh_dir("evals");
  sweep(e, dir, 1);
  const CsvTable t = read_csv(dir / "runs.csv");
  REQUIRE(t.rows.size() == 2);
  // Newton evaluates one Hessian per step; sgd never asks for one.
  const auto& newton = t.rows[0][t.column("optimizer")] == "newton" ? t.rows[0] : t.rows[1];
  const auto& sgd = t.rows[0][t.column("optimizer")] == "newton" ? t.rows[1] : t.rows[0];
  CHECK(std::stoi(newton[t.column("hess_evals")]) == 5);
  CHECK(sgd[t.column("hess_evals")] == "0");
  CHECK(sgd[t.column("grad_evals")] == "5");
  fs::remove_all(dir);
}
