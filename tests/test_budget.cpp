// lib/harness/budget: budget.csv, the expected best result of k random-search configurations
// (Dodge et al. 2019), and the experiment keys behind it (search.defaults, search.budgets).
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "lib/csv.hpp"
#include "lib/harness/best.hpp"
#include "lib/harness/budget.hpp"
#include "lib/harness/columns.hpp"
#include "lib/harness/experiment.hpp"
#include "lib/harness/outputs.hpp"
#include "lib/harness/sweep.hpp"
#include "lib/optimizer_registry.hpp"
#include "tests/cli_runner.hpp"
#include "tests/sweep_fixtures.hpp"

using namespace descent;
using namespace descent::testing;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The mean over every k-subset of the best value in it.
double brute_force(const std::vector<double>& v, int k, bool maximize) {
  const unsigned n = unsigned(v.size());
  double sum = 0;
  long count = 0;
  for (unsigned mask = 0; mask < (1u << n); ++mask) {
    if (std::popcount(mask) != k) continue;
    double best = maximize ? -kInf : kInf;
    for (unsigned i = 0; i < n; ++i)
      if (mask & (1u << i)) best = maximize ? std::max(best, v[i]) : std::min(best, v[i]);
    sum += best;
    ++count;
  }
  return sum / double(count);
}

void check_close(double got, double want) {
  if (std::isinf(want))
    CHECK(got == want);
  else
    CHECK(got == Approx(want).epsilon(1e-12).margin(1e-300));
}

const std::string kHead = "name = \"x\"\nproblems = [\"quadratic\"]\nbudget = { iters = 10 }\n";

Experiment parse(const std::string& tail) { return parse_experiment(kHead + tail, "x.toml"); }

// The numbers budget.csv is made of, computed here from runs.csv and traces.csv directly: per
// repetition, each configuration's value (by run order, the default ones apart).
struct Recomputed {
  std::vector<std::vector<double>> random;    // [rep][configuration]
  std::vector<std::vector<double>> defaults;  // [rep][configuration]
};

Recomputed recompute(const fs::path& dir, const std::string& metric, int seeds,
                     const std::set<long>& errored = {}) {
  const CsvTable runs = read_csv(dir / "runs.csv"), traces = read_csv(dir / "traces.csv");
  // The start value of each repetition: every run of it starts at the same point.
  std::map<int, double> start;
  std::map<long, int> rep_of;
  for (const auto& r : runs.rows) rep_of[std::stol(r[0])] = std::stoi(r[runs.column("rep")]);
  for (const auto& t : traces.rows) {
    if (t[traces.column("iter")] != "0") continue;
    const int rep = rep_of.at(std::stol(t[0]));
    const double loss = std::stod(t[traces.column("loss")]);
    if (start.count(rep)) CHECK(start[rep] == loss);  // common random numbers
    start[rep] = loss;
  }
  REQUIRE(int(start.size()) == seeds);
  Recomputed out{std::vector<std::vector<double>>(seeds), std::vector<std::vector<double>>(seeds)};
  const bool to_target = find_run_column(metric)->to_target;
  for (const auto& r : runs.rows) {
    const int rep = std::stoi(r[runs.column("rep")]);
    const std::string& cell = r[runs.column(metric)];
    double v = 0;
    if (to_target)
      v = cell.empty() ? kInf : std::stod(cell);
    else if (r[runs.column("status")] == "ok" && !errored.count(std::stol(r[0])))
      v = std::stod(cell);
    else
      v = start[rep];
    (r[runs.column("search")] == "default" ? out.defaults : out.random)[std::size_t(rep)].push_back(
        v);
  }
  return out;
}

std::vector<double> sorted(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// budget.csv's row for k against quartiles of `per_rep`.
void check_row(const CsvTable& b, std::size_t row, int k, std::size_t configurations,
               const std::vector<double>& per_rep) {
  INFO("k = " << k);
  const auto& r = b.rows[row];
  CHECK(r[b.column("k")] == std::to_string(k));
  CHECK(r[b.column("configurations")] == std::to_string(configurations));
  CHECK(r[b.column("seeds")] == std::to_string(per_rep.size()));
  const auto v = sorted(per_rep);
  check_close(std::stod(r[b.column("median")]), quantile(v, 0.5));
  check_close(std::stod(r[b.column("q25")]), quantile(v, 0.25));
  check_close(std::stod(r[b.column("q75")]), quantile(v, 0.75));
  check_close(std::stod(r[b.column("mean")]),
              std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()));
}

const char* const kRandom = R"(
name = "budget"
problems = ["quadratic:dim=5,cond=10,rotate=1"]
seeds = 3
budget = { iters = 100 }
log = { points = 10 }
search = { method = "random", samples = 8, defaults = true }
[optimizers.sgd]
lr = { loguniform = [1e-3, 3.0] }
)";

}  // namespace

TEST_CASE("the expected best of k draws is the mean over all k-subsets of their best", "[budget]") {
  // Ties, both directions, every k.
  for (const std::vector<double>& v : {std::vector<double>{3, 1, 4, 1, 5, 2, 2},
                                       std::vector<double>{0.5, 0.9, 0.9, 0.7, -0.1, 0.5, 0.3}}) {
    for (bool maximize : {false, true}) {
      for (int k = 1; k <= 7; ++k) {
        INFO("maximize " << maximize << ", k = " << k);
        check_close(expected_best(v, k, maximize), brute_force(v, k, maximize));
      }
      // All draws: the best itself, exactly; one draw: the mean.
      CHECK(expected_best(v, 7, maximize) == (maximize ? *std::max_element(v.begin(), v.end())
                                                       : *std::min_element(v.begin(), v.end())));
      CHECK(expected_best(v, 1, maximize) ==
            Approx(std::accumulate(v.begin(), v.end(), 0.0) / 7).epsilon(1e-14));
    }
  }
  CHECK(expected_best({3, 1, 4, 1, 5, 2, 2}, 2, false) == Approx(35.0 / 21));  // by hand
  CHECK(expected_best(std::vector<double>(9, 0.1), 4, false) == 0.1);  // equal values: exactly
  CHECK_THROWS(expected_best({1, 2}, 3, false));
  CHECK_THROWS(expected_best({1, 2}, 0, false));
}

TEST_CASE("the expected best stays exact for hundreds of configurations", "[budget]") {
  // For a permutation of 1 … N, E[min of k] = (N + 1) / (k + 1), E[max of k] = k (N + 1) / (k + 1);
  // C(1000, 500) overflows a double, the weights must not.
  const int n = 1000;
  std::vector<double> v(n);
  std::iota(v.begin(), v.end(), 1.0);
  std::shuffle(v.begin(), v.end(), std::mt19937(7));
  for (int k : {1, 2, 3, 10, 100, 500, 999, 1000}) {
    INFO("k = " << k);
    CHECK(expected_best(v, k, false) == Approx((n + 1.0) / (k + 1)).epsilon(1e-10));
    CHECK(expected_best(v, k, true) == Approx(k * (n + 1.0) / (k + 1)).epsilon(1e-10));
  }
}

TEST_CASE("an infinite value propagates while k draws can all be it, and never gives NaN",
          "[budget]") {
  const std::vector<double> unreached = {2, kInf, 1, kInf};
  CHECK(expected_best(unreached, 1, false) == kInf);
  CHECK(expected_best(unreached, 2, false) == kInf);  // {∞, ∞} is one of the pairs
  CHECK(expected_best(unreached, 3, false) == 1.25);  // {1,2,∞} twice, {1,∞,∞}, {2,∞,∞}
  CHECK(expected_best(unreached, 4, false) == 1);
  for (int k = 1; k <= 4; ++k)
    check_close(expected_best(unreached, k, false), brute_force(unreached, k, false));
  const std::vector<double> failed_acc = {-kInf, 0.5, 0.9};
  CHECK(expected_best(failed_acc, 1, true) == -kInf);
  CHECK(expected_best(failed_acc, 2, true) == Approx(2.3 / 3));
  CHECK(expected_best(failed_acc, 3, true) == 0.9);
  // 1000 reached, 1000 not: the chance that 1000 draws all miss, 1 / C(2000, 1000), underflows,
  // but is not 0; with 1001 draws one must hit. No 0 · ∞ on the way.
  std::vector<double> half(2000, 1.0);
  std::fill(half.begin() + 1000, half.end(), kInf);
  CHECK(expected_best(half, 1000, false) == kInf);
  CHECK(expected_best(half, 1001, false) == 1);
  CHECK(expected_best(half, 2000, false) == 1);
}

TEST_CASE("search.defaults adds one run per seed at the default hyperparameters, first",
          "[budget]") {
  const std::string table = R"(
[optimizers.adam]
lr = { loguniform = [1e-4, 1e-1] }
beta1 = [0.8, 0.95]
weight_decay = [0.1]
schedule = ["constant", "cosine:steps=10"]
)";
  const std::string head =
      "name = \"d\"\nproblems = [\"quadratic\", \"rosenbrock\"]\nseeds = 2\n"
      "budget = { iters = 10 }\n";
  const auto with = expand(parse_experiment(
      head + "search = { method = \"random\", samples = 3, defaults = true }\n" + table, "d.toml"));
  const auto without = expand(
      parse_experiment(head + "search = { method = \"random\", samples = 3 }\n" + table, "d.toml"));
  // 2 problems × (1 default + 3 samples) × 2 schedules × 2 seeds
  REQUIRE(with.size() == 32);
  REQUIRE(without.size() == 24);
  // The searched keys (lr, beta1) at adam's defaults, the fixed weight_decay kept.
  const std::string defaults = parse_optimizer("adam:weight_decay=0.1").canonical();
  CHECK_THAT(defaults, Catch::Contains("lr=1e-3") && Catch::Contains("beta1=0.9,"));
  std::vector<std::string> random_configs;
  for (const RunSpec& r : with) {
    INFO("run " << r.run_id);
    const bool is_default = r.run_id % 16 < 4;  // the first configuration of each problem
    CHECK(r.search == (is_default ? "default" : "random"));
    if (is_default) CHECK(r.config == defaults);
    if (!is_default) random_configs.push_back(r.config + "|" + r.schedule + "|" + r.problem);
  }
  CHECK(with[0].schedule == "constant");
  CHECK(with[2].schedule == "cosine:steps=10");
  CHECK(with[1].rep == 1);
  // The random samples are the same with or without the default runs.
  std::vector<std::string> plain;
  for (const RunSpec& r : without) {
    CHECK(r.search == "random");
    plain.push_back(r.config + "|" + r.schedule + "|" + r.problem);
  }
  CHECK(random_configs == plain);
  for (const RunSpec& r : expand(parse_experiment(kExperiment, "unit.toml")))
    CHECK(r.search == "grid");
}

TEST_CASE("budget keys are checked before anything runs", "[budget]") {
  using Catch::Contains;
  CHECK_THROWS_WITH(parse("search = { method = \"grid\", budgets = [1] }\n[optimizers.sgd]\n"),
                    Contains("x.toml:4") && Contains("'search.budgets'") &&
                        Contains("use search = { method = \"random\", samples = N }"));
  CHECK_THROWS_WITH(parse("search = { defaults = true }\n[optimizers.sgd]\n"),
                    Contains("'search.defaults'") && Contains("method = \"random\""));
  CHECK_THROWS_WITH(
      parse("search = { method = \"random\", samples = 32, budgets = [1, 64] }\n"
            "[optimizers.sgd]\nlr = { loguniform = [1e-3, 1] }\n"),
      Contains("x.toml:4: key 'search.budgets': k = 64 exceeds the 32 configurations searched "
               "(samples = 32): lower k or raise samples"));
  // N is samples × schedules × batches, table by table; the error names the table that is short.
  const std::string adam =
      "[optimizers.adam]\nlr = { loguniform = [1e-3, 1] }\n"
      "schedule = [\"constant\", \"cosine:steps=10\"]\n";
  const std::string sgd = "[optimizers.sgd]\nlr = { loguniform = [1e-3, 1] }\n";
  const std::string eight = "search = { method = \"random\", samples = 4, budgets = [8] }\n";
  CHECK(parse(eight + adam).budgets == std::vector<int>{8});
  CHECK_THROWS_WITH(parse(eight + adam + sgd),
                    Contains("k = 8 exceeds the 4 configurations searched for optimizers.sgd "
                             "(samples = 4)"));
  CHECK_THROWS_WITH(
      parse("search = { method = \"random\", samples = 4, budgets = [0, 2] }\n[optimizers.sgd]\n"),
      Contains("set defaults = true"));
  CHECK_THROWS_WITH(
      parse("search = { method = \"random\", samples = 4, budgets = [1.5] }\n[optimizers.sgd]\n"),
      Contains("whole numbers"));
  CHECK_THROWS_WITH(
      parse("search = { method = \"random\", samples = 4, budgets = [-2] }\n[optimizers.sgd]\n"),
      Contains("k = -2"));
  CHECK_THROWS_WITH(
      parse(
          "search = { method = \"random\", samples = 4, defaults = \"yes\" }\n[optimizers.sgd]\n"),
      Contains("'search.defaults'") && Contains("true or false"));
  CHECK_THROWS_WITH(
      parse("search = { method = \"random\", samples = 4, budget = [1] }\n[optimizers.sgd]\n"),
      Contains("'search.budget'") && Contains("unknown key"));
  // A searched key without a default: the default runs cannot be made.
  CHECK_THROWS_WITH(parse("search = { method = \"random\", samples = 4, defaults = true }\n"
                          "[optimizers.shampoo]\nlr = { loguniform = [1e-3, 1] }\neps = 1e-4\n"),
                    Contains("x.toml:5") && Contains("optimizers.shampoo.lr") &&
                        Contains("no default for 'lr'") && Contains("drop defaults = true"));
  // Set to one value, a required key is kept in the default run.
  const auto runs =
      expand(parse("search = { method = \"random\", samples = 4, defaults = true }\n"
                   "[optimizers.shampoo]\nlr = [0.5]\neps = 1e-4\n"
                   "update_every = [1, 10, 100]\n"));
  REQUIRE(runs.size() == 5);
  CHECK(runs[0].search == "default");
  CHECK_THAT(runs[0].config, Catch::Contains("lr=0.5"));
  // Sorted, duplicates dropped; the default list is 1, 2, 4, …, N.
  const Experiment e = parse(
      "search = { method = \"random\", samples = 20, budgets = [8, 1, 8] }\n[optimizers.sgd]\n");
  CHECK(e.budgets == std::vector<int>{1, 8});
  const Experiment d = parse(
      "search = { method = \"random\", samples = 10 }\n[optimizers.sgd]\n"
      "batch = [0, 4]\n");
  CHECK(budget_ks(d, d.optimizers[0]) == std::vector<int>{1, 2, 4, 8, 16, 20});
  CHECK(configurations_searched(d, d.optimizers[0]) == 20);
}

TEST_CASE("descent sweep refuses a budget larger than the search, in one line", "[budget]") {
  const fs::path file = fresh_dir("budget_cli").replace_extension(".toml");
  std::ofstream(file) << kHead
                      << "search = { method = \"random\", samples = 8, budgets = [16] }\n"
                         "[optimizers.sgd]\nlr = { loguniform = [1e-3, 1] }\n";
  const Outcome o = run_descent("sweep " + file.string() + " --out " + (file.string() + ".out"));
  CHECK(o.status == 2);
  CHECK(o.err.rfind("error: ", 0) == 0);
  CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 1);
  CHECK_THAT(o.err, Catch::Contains("k = 16 exceeds the 8 configurations searched"));
  fs::remove(file);
}

TEST_CASE("budget.csv: the expected best final loss, a failed run worth its start value",
          "[budget]") {
  const Experiment e = parse_experiment(kRandom, "budget.toml");
  const fs::path dir = fresh_dir("budget_loss");
  sweep(e, dir, 2);
  const CsvTable runs = read_csv(dir / "runs.csv");
  int diverged = 0, ok = 0;
  for (const auto& r : runs.rows)
    (r[runs.column("status")] == "ok" ? ok : diverged) += r[runs.column("search")] == "random";
  REQUIRE(diverged > 0);  // the range reaches rates at which sgd diverges
  REQUIRE(ok > 0);

  const CsvTable b = read_csv(dir / "budget.csv");
  std::vector<std::string> header;
  for (const BudgetColumn& c : budget_columns()) header.push_back(c.name);
  CHECK(b.header == header);
  REQUIRE(b.rows.size() == 5);  // k = 0, 1, 2, 4, 8
  for (const auto& r : b.rows) {
    CHECK(r[b.column("problem")] == "quadratic:dim=5,cond=10,rotate=1");
    CHECK(r[b.column("optimizer")] == "sgd");
    CHECK(r[b.column("metric")] == "final_loss");
  }
  const Recomputed values = recompute(dir, "final_loss", 3);
  std::vector<double> defaults;
  for (const auto& d : values.defaults) {
    REQUIRE(d.size() == 1);
    defaults.push_back(d[0]);
  }
  check_row(b, 0, 0, 1, defaults);
  std::size_t row = 1;
  for (int k : {1, 2, 4, 8}) {
    std::vector<double> per_rep;
    for (const auto& v : values.random) {
      REQUIRE(v.size() == 8);
      per_rep.push_back(brute_force(v, k, false));
    }
    check_row(b, row++, k, 8, per_rep);
  }
  // A diverged run counts as not moving, not as ∞: one draw has a finite expectation.
  CHECK(std::isfinite(std::stod(b.rows[1][b.column("median")])));

  // A run that threw has no trace: it takes its seed's start value from the others.
  CsvTable broken = read_csv(dir / "runs.csv"), traces = read_csv(dir / "traces.csv");
  const long victim = 4;  // a random configuration's run (the default ones are 0, 1, 2)
  REQUIRE(broken.rows[victim][broken.column("search")] == "random");
  broken.rows[victim][broken.column("status")] = "error";
  broken.rows[victim][broken.column("final_loss")] = "";
  std::erase_if(traces.rows, [&](const auto& t) { return std::stol(t[0]) == victim; });
  write_budget(e, broken, traces, dir / "broken.csv");
  const CsvTable bb = read_csv(dir / "broken.csv");
  const Recomputed errored = recompute(dir, "final_loss", 3, {victim});
  row = 1;
  for (int k : {1, 2, 4, 8}) {
    std::vector<double> per_rep;
    for (const auto& v : errored.random) per_rep.push_back(brute_force(v, k, false));
    check_row(bb, row++, k, 8, per_rep);
  }
  fs::remove_all(dir);
}

TEST_CASE("budget.csv: an unreached target is ∞, and so is the expectation while it can be",
          "[budget]") {
  const Experiment t =
      parse_experiment("target = { rel_gap = 1e-3 }\ntune = { metric = \"iters_to_target\" }\n" +
                           std::string(kRandom),
                       "target.toml");
  const fs::path dir = fresh_dir("budget_target");
  sweep(t, dir, 2);
  const CsvTable b = read_csv(dir / "budget.csv");
  REQUIRE(b.rows.size() == 5);
  const Recomputed values = recompute(dir, "iters_to_target", 3);
  int unreached = 0, reached = 0;
  for (const auto& v : values.random)
    for (double x : v) (std::isinf(x) ? unreached : reached)++;
  REQUIRE(unreached > 0);
  REQUIRE(reached > 0);
  std::size_t row = 1;
  for (int k : {1, 2, 4, 8}) {
    std::vector<double> per_rep;
    for (const auto& v : values.random) per_rep.push_back(brute_force(v, k, false));
    check_row(b, row++, k, 8, per_rep);
  }
  CHECK(b.rows[1][b.column("median")] == "inf");  // one draw may miss
  CHECK(b.rows[1][b.column("metric")] == "iters_to_target");
  CHECK(b.rows[4][b.column("median")] != "inf");  // all eight: some reached
  fs::remove_all(dir);
  // Without a target the metric is not there: the cells are empty.
  sweep(parse_experiment("tune = { metric = \"iters_to_target\" }\n" + std::string(kRandom),
                         "none.toml"),
        dir, 2);
  for (const auto& r : read_csv(dir / "budget.csv").rows) CHECK(r[6].empty());
  fs::remove_all(dir);
}

TEST_CASE("budget.csv is written for random search, not for grid search, and merges", "[budget]") {
  const Experiment random = parse_experiment(kRandom, "budget.toml");
  const fs::path dir = fresh_dir("budget_files"), s0 = fresh_dir("budget_s0"),
                 s1 = fresh_dir("budget_s1"), merged = fresh_dir("budget_merged");
  sweep(random, dir, 2);
  REQUIRE(fs::exists(dir / "budget.csv"));
  CHECK_THAT(slurp((dir / "meta.json").string()),
             Catch::Contains("\"budget\" : {") && Catch::Contains("\"metric\" : \"final_loss\"") &&
                 Catch::Contains("\"defaults\" : true") &&
                 Catch::Contains("\"configurations\" : 8"));
  // A shard holds part of each configuration's runs: no budget.csv; merge writes it.
  sweep(random, s0, 1, 0, 2);
  sweep(random, s1, 1, 1, 2);
  CHECK_FALSE(fs::exists(s0 / "budget.csv"));
  merge_sweeps({s1, s0}, merged);
  CHECK(content(merged / "budget.csv") == content(dir / "budget.csv"));
  // Another experiment into the same folder is refused, unless forced; a forced grid sweep
  // leaves no budget.csv of the random one behind.
  CHECK_THROWS_WITH(
      sweep(parse_experiment(kExperiment, "unit.toml"), dir, 2),
      Catch::Contains("holds the results of another experiment") && Catch::Contains("--force"));
  sweep(parse_experiment(kExperiment, "unit.toml"), dir, 2, 0, 1, false, true);
  CHECK_FALSE(fs::exists(dir / "budget.csv"));
  // (The column facts list budget.csv's columns as "budget" : [...] in every meta.json.)
  CHECK_THAT(slurp((dir / "meta.json").string()), !Catch::Contains("\"budget\" : {"));
  CHECK(read_csv(dir / "runs.csv").rows[0][read_csv(dir / "runs.csv").column("search")] == "grid");
  for (const auto& d : {dir, s0, s1, merged}) fs::remove_all(d);
}
