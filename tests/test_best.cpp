// lib/harness/best: best.csv, the best configuration per problem and optimizer.
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

TEST_CASE("best.csv picks the configuration with the best median and reports quartiles", "[best]") {
  const fs::path dir = fresh_dir("best");
  fs::create_directories(dir);
  const fs::path runs_file = dir / "runs.csv";
  {
    CsvWriter w(runs_file, runs_header({"lr"}));
    auto row = [&](int id, const std::string& config, const std::string& iters,
                   const std::string& status) {
      std::vector<std::string> r = {std::to_string(id),
                                    "p",
                                    "sgd",
                                    config,
                                    "constant",
                                    "0",
                                    "float64",
                                    "grid",
                                    "0.1",
                                    "0",
                                    "1",
                                    status,
                                    "",
                                    "100",
                                    "100",
                                    "100",
                                    "0",
                                    "0.5",
                                    "0.5",
                                    "0.5",
                                    "",
                                    "",
                                    iters,
                                    iters,
                                    iters,
                                    "",
                                    "0.01"};
      w.row(r);
    };
    row(0, "sgd:lr=0.1", "10", "ok");
    row(1, "sgd:lr=0.1", "20", "ok");
    row(2, "sgd:lr=0.1", "", "ok");  // never reached: +inf
    row(3, "sgd:lr=0.2", "30", "ok");
    row(4, "sgd:lr=0.2", "40", "ok");
    row(5, "sgd:lr=0.2", "50", "ok");
    w.commit();
  }
  write_best(read_csv(runs_file), {"iters_to_target", "median"}, true, dir / "best.csv");
  const CsvTable best = read_csv(dir / "best.csv");
  REQUIRE(best.rows.size() == 1);
  CHECK(best.rows[0][best.column("config")] == "sgd:lr=0.1");  // median 20 < 40
  CHECK(best.rows[0][best.column("iters_to_target_median")] == "20");
  CHECK(best.rows[0][best.column("iters_to_target_q25")] == "15");
  CHECK(best.rows[0][best.column("iters_to_target_q75")] == "inf");
  CHECK(std::stod(best.rows[0][best.column("success_rate")]) == Approx(2.0 / 3));
  write_best(read_csv(runs_file), {"iters_to_target", "worst"}, true, dir / "best.csv");
  CHECK(read_csv(dir / "best.csv").rows[0][best.column("config")] == "sgd:lr=0.2");
  fs::remove_all(dir);
}

TEST_CASE("quantiles follow numpy's linear rule", "[best]") {
  CHECK(quantile({1, 2, 3, 4}, 0.5) == 2.5);
  CHECK(quantile({1, 2, 3, 4}, 0.25) == 1.75);
  CHECK(quantile({5}, 0.75) == 5);
  CHECK(std::isinf(quantile({1, INFINITY}, 0.5)));
}

TEST_CASE("when no configuration reaches the target, best.csv shows the lowest final loss",
          "[best]") {
  const fs::path dir = fresh_dir("ties");
  fs::create_directories(dir);
  {
    CsvWriter w(dir / "runs.csv", runs_header({"lr"}));
    for (int id = 0; id < 3; ++id) {
      const std::string loss = id == 1 ? "0.5" : "2";
      w.row({std::to_string(id),
             "p",
             "sgd",
             "sgd:lr=" + std::to_string(id),
             "constant",
             "0",
             "float64",
             "grid",
             "0.1",
             "0",
             "1",
             "ok",
             "",
             "100",
             "100",
             "100",
             "0",
             loss,
             loss,
             loss,
             "",
             "",
             "",
             "",
             "",
             "",
             "0.01"});
    }
    w.commit();
  }
  write_best(read_csv(dir / "runs.csv"), {"iters_to_target", "median"}, true, dir / "best.csv");
  const CsvTable best = read_csv(dir / "best.csv");
  CHECK(best.rows[0][best.column("config")] == "sgd:lr=1");
  CHECK(best.rows[0][best.column("iters_to_target_median")] == "inf");
  fs::remove_all(dir);
}

TEST_CASE(
    "best.csv counts an unreached target as failure and leaves a metric out that the "
    "problem lacks",
    "[best]") {
  const std::string head = R"(
name = "metrics"
problems = ["rosenbrock", "logreg:l2=0"]
budget = { iters = 20 }
log = { points = 5 }
[optimizers.sgd]
lr = [1e-4]
)";
  const fs::path dir = fresh_dir("metrics");
  auto best_of = [&](const std::string& text) {
    sweep(parse_experiment(text, "metrics.toml"), dir, 1);
    const CsvTable best = read_csv(dir / "best.csv");
    fs::remove_all(dir);
    REQUIRE(best.rows.size() == 2);
    return best;
  };
  // rosenbrock has no test set; logreg without l2 has no known optimum, so no gap.
  const CsvTable reach = best_of("target = { loss = 1e-30 }\n" + head);
  for (const auto& row : reach.rows) {
    INFO(row[reach.column("problem")]);
    CHECK(row[reach.column("success_rate")] == "0");
    CHECK(row[reach.column("iters_to_target_median")] == "inf");
    const bool rosenbrock = row[reach.column("problem")] == "rosenbrock";
    CHECK(row[reach.column("final_test_acc_median")].empty() == rosenbrock);
    CHECK(row[reach.column("final_gap_q75")].empty() == !rosenbrock);
    CHECK_FALSE(row[reach.column("final_loss_median")].empty());
  }
  const CsvTable none = best_of(head);  // no target: success is finishing, no target metrics
  for (const auto& row : none.rows) {
    CHECK(row[none.column("success_rate")] == "1");
    CHECK(row[none.column("iters_to_target_median")].empty());
    CHECK(row[none.column("time_to_target_s_q25")].empty());
  }
}

TEST_CASE("best.csv shows the metrics of a problem none of whose runs finished as failures",
          "[best]") {
  // Failed runs leave their fields empty; that must not read as "the problem has no such metric".
  const fs::path dir = fresh_dir("failed_metrics");
  sweep(parse_experiment(R"(
name = "failed"
problems = ["rosenbrock:dim=1"]
budget = { iters = 20 }
[optimizers.sgd]
lr = [1e-4]
)",
                         "failed.toml"),
        dir, 1);
  const CsvTable best = read_csv(dir / "best.csv");
  fs::remove_all(dir);
  REQUIRE(best.rows.size() == 1);
  CHECK(best.rows[0][best.column("success_rate")] == "0");
  CHECK(best.rows[0][best.column("final_loss_median")] == "inf");
  CHECK(best.rows[0][best.column("tune_value")] == "inf");
  CHECK(best.rows[0][best.column("final_test_acc_q25")] == "-inf");
  CHECK(best.rows[0][best.column("iters_to_target_median")].empty());
}
