// The sweep harness: determinism across threads and shards, failure handling, resume, files.
#include <unistd.h>

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

using namespace descent;
namespace fs = std::filesystem;

namespace {

const char* const kExperiment = R"(
name = "unit"
problems = ["quadratic:dim=5,cond=100,rotate=1", "rosenbrock"]
seeds = 3
budget = { iters = 300 }
target = { gap = 1e-4 }
log = { points = 10 }
tune = { metric = "iters_to_target", stat = "median" }
[optimizers.sgd]
lr = { logspace = [1e-3, 1e-1], n = 3 }
[optimizers.adam]
lr = [0.01, 0.1]
schedule = ["constant", "cosine:steps=300"]
)";

const char* const kNoSeeds = R"(
name = "noseeds"
problems = ["rosenbrock"]
budget = { iters = 10 }
[optimizers.sgd]
)";

fs::path fresh_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("descent_sweep_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

SweepOutcome sweep(const Experiment& e, const fs::path& out, int threads, int shard = 0,
                   int shards = 1, bool resume = false) {
  SweepOptions o;
  o.out = out;
  o.threads = threads;
  o.quiet = true;
  o.shard = shard;
  o.shards = shards;
  o.resume = resume;
  return run_sweep(e, o);
}

// The table without the columns that measure the machine's speed.
std::vector<std::vector<std::string>> content(const fs::path& file) {
  const CsvTable t = read_csv(file);
  std::vector<std::vector<std::string>> out = {{}};
  for (const auto& h : t.header)
    if (!is_timing_column(h)) out[0].push_back(h);
  for (const auto& row : t.rows) {
    out.emplace_back();
    for (std::size_t i = 0; i < row.size(); ++i)
      if (!is_timing_column(t.header[i])) out.back().push_back(row[i]);
  }
  return out;
}

void check_same(const fs::path& a, const fs::path& b) {
  for (const char* f : {"runs.csv", "traces.csv", "best.csv"}) {
    INFO(f);
    CHECK(content(a / f) == content(b / f));
  }
}

}  // namespace

TEST_CASE("an experiment expands into the documented grid", "[sweep]") {
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

TEST_CASE("merged shards equal the unsharded sweep", "[sweep]") {
  const Experiment e = parse_experiment(kExperiment, "unit.toml");
  const fs::path whole = fresh_dir("whole"), s0 = fresh_dir("s0"), s1 = fresh_dir("s1"),
                 s2 = fresh_dir("s2"), merged = fresh_dir("merged");
  sweep(e, whole, 2);
  CHECK(sweep(e, s0, 1, 0, 3).ran == 14);
  sweep(e, s1, 1, 1, 3);
  CHECK_THROWS_WITH(merge_sweeps({s0, s1}, merged), Catch::Contains("a shard is missing"));
  sweep(e, s2, 1, 2, 3);
  CHECK_THROWS_WITH(merge_sweeps({s0, s1, s1}, merged), Catch::Contains("appears twice"));
  merge_sweeps({s2, s0, s1}, merged);
  check_same(whole, merged);
  for (const auto& d : {whole, s0, s1, s2, merged}) fs::remove_all(d);
}

TEST_CASE("a sweep with overridden seeds records them, so its shards merge", "[sweep]") {
  const Experiment e = with_seeds(parse_experiment(kExperiment, "unit.toml"), 1);
  CHECK(e.seeds == 1);
  CHECK(parse_experiment(e.text, "again.toml").seeds == 1);
  CHECK_THAT(e.text, Catch::Contains("[optimizers.sgd]\nlr = { logspace"));  // the rest as is
  CHECK(expand(e).front().label == "sgd");  // the file's order, which is the runs' order
  CHECK(with_seeds(parse_experiment(kNoSeeds, "n.toml"), 2).seeds == 2);
  CHECK(with_seeds(parse_experiment(std::string("\xEF\xBB\xBF") + kNoSeeds, "bom.toml"), 2).seeds ==
        2);                                // a byte-order mark stays first
  CHECK(with_seeds(e, 1).text == e.text);  // unchanged when the count is the file's
  CHECK(expand(e).size() == expand(parse_experiment(kExperiment, "unit.toml")).size() / 3);
  const fs::path whole = fresh_dir("seeds_whole"), s0 = fresh_dir("seeds_s0"),
                 s1 = fresh_dir("seeds_s1"), merged = fresh_dir("seeds_merged");
  sweep(e, whole, 1);
  sweep(e, s0, 1, 0, 2);
  sweep(e, s1, 1, 1, 2);
  merge_sweeps({s0, s1}, merged);
  check_same(whole, merged);
  CHECK_THROWS_WITH(with_seeds(e, 0), Catch::Contains("--seeds"));
  for (const auto& d : {whole, s0, s1, merged}) fs::remove_all(d);
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

TEST_CASE("resume finishes an interrupted sweep with the same results", "[sweep]") {
  const Experiment e = parse_experiment(kExperiment, "unit.toml");
  const fs::path whole = fresh_dir("rwhole"), part = fresh_dir("rpart");
  sweep(e, whole, 2);
  // An interrupted sweep: the first 10 runs finished, and run 10's trace half written.
  const CsvTable runs = read_csv(whole / "runs.csv"), traces = read_csv(whole / "traces.csv");
  fs::create_directories(part);
  {
    CsvWriter r = CsvWriter::appending(part / "runs.partial.csv", runs.header);
    for (int i = 0; i < 10; ++i) r.row(runs.rows[i]);
    CsvWriter t = CsvWriter::appending(part / "traces.partial.csv", traces.header);
    for (const auto& row : traces.rows)
      if (std::stoi(row[0]) <= 10) t.row(row);
  }
  CHECK_THROWS_WITH(sweep(e, part, 1), Catch::Contains("--resume"));
  const SweepOutcome r = sweep(e, part, 2, 0, 1, true);
  CHECK(r.skipped == 10);
  CHECK(r.ran == 32);
  check_same(whole, part);
  fs::remove_all(whole);
  fs::remove_all(part);
}

TEST_CASE("resume refuses partial files from another experiment before running", "[sweep]") {
  const Experiment e = parse_experiment(kExperiment, "unit.toml");
  const fs::path whole = fresh_dir("swhole"), part = fresh_dir("spart");
  sweep(e, whole, 2);
  const CsvTable runs = read_csv(whole / "runs.csv");
  const auto interrupted = [&](const std::vector<std::string>& header, std::size_t drop) {
    fs::remove_all(part);
    fs::create_directories(part);
    CsvWriter r = CsvWriter::appending(part / "runs.partial.csv", header);
    for (int i = 0; i < 4; ++i)
      r.row(std::vector<std::string>(runs.rows[i].begin(), runs.rows[i].end() - drop));
  };
  // Started with 3 seeds, resumed with 2: run 2 is then another configuration's first seed.
  interrupted(runs.header, 0);
  CHECK_THROWS_WITH(sweep(with_seeds(e, 2), part, 1, 0, 1, true),
                    Catch::Contains("run 2 does not match"));
  // Written by a version with one column less.
  interrupted(std::vector<std::string>(runs.header.begin(), runs.header.end() - 1), 1);
  CHECK_THROWS_WITH(sweep(e, part, 1, 0, 1, true), Catch::Contains("the header does not match"));
  CHECK_FALSE(fs::exists(part / "runs.csv"));
  CHECK(read_csv(part / "runs.partial.csv").rows.size() == 4);  // nothing appended
  fs::remove_all(whole);
  fs::remove_all(part);
}

TEST_CASE("random search is reproducible and stays in its ranges", "[sweep]") {
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
    const double lr = std::stod(a[i].hp[0].second), beta1 = std::stod(a[i].hp[1].second);
    CHECK(lr >= 1e-4);
    CHECK(lr <= 1e-1);
    CHECK(beta1 >= 0.5);
    CHECK(beta1 <= 0.99);
    lrs.insert(a[i].hp[0].second);
    ams.insert(a[i].hp[4].second);
  }
  CHECK(lrs.size() == 20);
  CHECK(ams.size() == 2);
}

TEST_CASE("experiment file errors name the file, the key and the line", "[sweep]") {
  using Catch::Contains;
  const std::string head = "name = \"x\"\nproblems = [\"quadratic\"]\nbudget = { iters = 10 }\n";
  auto bad = [&](const std::string& tail) { return parse_experiment(head + tail, "x.toml"); };
  CHECK_THROWS_WITH(bad("[optimizers.adam]\nlr = -1\n"),
                    Contains("x.toml:5") && Contains("'lr' must be > 0"));
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

TEST_CASE("best.csv picks the configuration with the best median and reports quartiles",
          "[sweep]") {
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

TEST_CASE("quantiles follow numpy's linear rule", "[sweep]") {
  CHECK(quantile({1, 2, 3, 4}, 0.5) == 2.5);
  CHECK(quantile({1, 2, 3, 4}, 0.25) == 1.75);
  CHECK(quantile({5}, 0.75) == 5);
  CHECK(std::isinf(quantile({1, INFINITY}, 0.5)));
}

TEST_CASE("when no configuration reaches the target, best.csv shows the lowest final loss",
          "[sweep]") {
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
    "[sweep]") {
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
          "[sweep]") {
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
