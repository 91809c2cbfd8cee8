// lib/harness/columns.hpp: the one declaration of the results' columns.
#include <catch2/catch.hpp>

#include "lib/harness/columns.hpp"
#include "lib/trace_csv.hpp"

using namespace descent;

namespace {

RunSpec spec() {
  return {.run_id = 7,
          .problem = "rosenbrock",
          .label = "fast",
          .config = "sgd:lr=0.1,clip=0,weight_decay=0",
          .schedule = "constant",
          .batch = 0,
          .rep = 1,
          .seed = 42,
          .hp = {{"lr", "0.1"}, {"clip", "0"}}};
}

std::string cell(const std::vector<std::string>& header, const std::vector<std::string>& row,
                 const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  REQUIRE(it != header.end());
  return row[std::size_t(it - header.begin())];
}

}  // namespace

TEST_CASE("runs.csv's header is the declared columns, hp_<key> expanded in place", "[columns]") {
  const auto h = runs_header({"lr", "momentum"});
  REQUIRE(h.size() == run_columns().size() + 1);
  CHECK(std::vector<std::string>(h.begin(), h.begin() + 11) ==
        std::vector<std::string>{"run_id", "problem", "optimizer", "config", "schedule", "batch",
                                 "dtype", "search", "hp_lr", "hp_momentum", "rep"});
  CHECK(h.back() == "wall_s");
}

TEST_CASE("a row is computed from the run by each column", "[columns]") {
  const RunSpec s = spec();
  RunResult r;
  r.summary.iters = 12;
  r.summary.final_loss = 0.25;
  r.summary.iters_to_target = 9;
  const std::string none;
  const auto h = runs_header({"lr", "momentum"});
  const auto row = runs_row({s, r, Status::ok, none, 0.125}, {"lr", "momentum"});
  REQUIRE(row.size() == h.size());
  CHECK(cell(h, row, "run_id") == "7");
  CHECK(cell(h, row, "optimizer") == "fast");
  CHECK(cell(h, row, "hp_lr") == "0.1");
  CHECK(cell(h, row, "hp_momentum") == "");  // a key this run's optimizer does not have
  CHECK(cell(h, row, "seed") == "42");
  CHECK(cell(h, row, "search") == "grid");
  CHECK(cell(h, row, "status") == "ok");
  CHECK(cell(h, row, "iters") == "12");
  CHECK(cell(h, row, "final_gap") == "0.125");
  CHECK(cell(h, row, "iters_to_target") == "9");
  CHECK(cell(h, row, "epochs_to_target") == "");  // never met
  CHECK(cell(h, row, "final_test_acc") == "");    // no test set (NaN)

  // A failed run keeps who it is and its message; every result column is empty.
  const std::string message = "boom";
  const auto failed = runs_row({s, RunResult{}, Status::error, message, 0.125}, {"lr"});
  const auto fh = runs_header({"lr"});
  CHECK(cell(fh, failed, "problem") == "rosenbrock");
  CHECK(cell(fh, failed, "status") == "error");
  CHECK(cell(fh, failed, "message") == "boom");
  CHECK(cell(fh, failed, "iters") == "");
  CHECK(cell(fh, failed, "final_loss") == "");
  // The identity is the leading part of the row, up to the seed.
  const auto id = run_identity(s, {"lr"});
  CHECK(id.back() == "42");
  CHECK(std::equal(id.begin(), id.end(), failed.begin()));
}

TEST_CASE("column facts: tunable metrics, directions, timing columns", "[columns]") {
  const auto tunable = tunable_metrics();
  CHECK(std::find(tunable.begin(), tunable.end(), "final_test_acc") != tunable.end());
  CHECK(std::find(tunable.begin(), tunable.end(), "iters") == tunable.end());
  CHECK(find_run_column("final_test_acc")->better == Better::higher);
  CHECK(find_run_column("iters_to_target")->to_target);
  CHECK(find_run_column("nonesuch") == nullptr);
  CHECK(is_timing_column("wall_s"));
  CHECK(is_timing_column("time_s"));                   // traces.csv
  CHECK(is_timing_column("time_to_target_s_median"));  // best.csv
  CHECK_FALSE(is_timing_column("iters_to_target_median"));
  CHECK_FALSE(is_timing_column("final_loss"));
}

TEST_CASE("traces.csv is run_id and every trace column in one order", "[columns]") {
  const auto h = traces_header();
  REQUIRE(h.size() == trace_columns().size() + 1);
  CHECK(h == std::vector<std::string>{"run_id", "iter", "epoch", "grad_evals", "time_s", "loss",
                                      "eval_loss", "gap", "grad_norm", "test_loss", "test_acc"});
  const RunSpec s = spec();
  RunResult r;
  r.trace.push_back({.iter = 3,
                     .epoch = 3,
                     .grad_evals = 3,
                     .time_s = 0.5,
                     .loss = 2.5,
                     .eval_loss = 2.25,
                     .grad_norm = 1});
  const std::string none;
  const auto rows = traces_rows({s, r, Status::ok, none, 0.5});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] ==
        std::vector<std::string>{"7", "3", "3", "3", "0.5", "2.5", "2.25", "1.75", "1", "", ""});
}
