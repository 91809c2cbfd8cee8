// The command line as a user meets it: exit codes, one-line errors, the trace file.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "lib/csv.hpp"
#include "lib/harness/budget.hpp"
#include "lib/harness/columns.hpp"
#include "lib/harness/outputs.hpp"
#include "lib/optimizer_registry.hpp"
#include "lib/trace_csv.hpp"
#include "problems/registry.hpp"
#include "tests/cli_runner.hpp"

using descent::testing::Outcome;
using descent::testing::run_descent;
using descent::testing::slurp;

namespace {

// A usage error: status 2 and exactly one line on stderr that starts with "error:".
void check_usage_error(const std::string& args, const std::string& mentions) {
  INFO("descent " << args);
  const Outcome o = run_descent(args);
  CHECK(o.status == 2);
  CHECK(o.err.rfind("error: ", 0) == 0);
  CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 1);
  CHECK_THAT(o.err, Catch::Contains(mentions));
}

}  // namespace

TEST_CASE("descent run prints a summary and exits 0", "[cli]") {
  const Outcome o = run_descent("run --problem rosenbrock --optimizer adam:lr=0.01 --iters 100");
  CHECK(o.status == 0);
  CHECK_THAT(o.out, Catch::Contains("status     ok") && Catch::Contains("steps      100"));
  CHECK(o.err.empty());
}

TEST_CASE("help works on every command", "[cli]") {
  for (const char* cmd : {"--help", "run --help", "list --help"}) {
    const Outcome o = run_descent(cmd);
    CHECK(o.status == 0);
    CHECK_THAT(o.out, Catch::Contains("Usage"));
  }
}

TEST_CASE("descent list names every registered component with its keys", "[cli]") {
  const Outcome opt = run_descent("list optimizers");
  CHECK(opt.status == 0);
  CHECK_THAT(opt.out,
             Catch::Contains("adam") && Catch::Contains("beta2=0.999") && Catch::Contains("sgd"));
  CHECK_THAT(run_descent("list problems").out,
             Catch::Contains("rosenbrock") && Catch::Contains("cond=10"));
  CHECK_THAT(run_descent("list schedules").out,
             Catch::Contains("cosine") && Catch::Contains("warmup=0"));
}

TEST_CASE("descent list --markdown gives one table row per registered component", "[cli]") {
  const auto rows = [](const std::string& text, const std::string& prefix) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (line.rfind(prefix, 0) == 0) out.push_back(line);
    return out;
  };
  const Outcome opt = run_descent("list optimizers --markdown");
  REQUIRE(opt.status == 0);
  const auto lines = rows(opt.out, "| `");
  CHECK(lines.size() ==
        descent::optimizer_registry().size() + descent::oracle_optimizer_registry().size());
  // Own keys with defaults and the other choices; the shared clip and weight_decay left out.
  CHECK_THAT(
      opt.out,
      Catch::Contains(
          "| `momentum` | `flavor=torch` (`optax`, `keras`, `ensmallen`) `lr=1e-3` `momentum=0.9` "
          "`variant=classic` (`ewa`, `cs231n`) | classic: "));
  CHECK_THAT(opt.out,
             Catch::Contains("`weight_decay=1e-2` `amsgrad=0` `amsgrad_of=raw`"));  // adamw's own
  CHECK_THAT(opt.out, !Catch::Contains("`clip=0`"));
  CHECK_THAT(opt.out, Catch::Contains("\\|g_t\\|"));  // adamax's |g_t|, escaped in a cell
  const Outcome cols = run_descent("list columns --markdown");
  REQUIRE(cols.status == 0);
  CHECK(rows(cols.out, "| `").size() == descent::run_columns().size() +
                                            descent::trace_columns().size() +
                                            descent::budget_columns().size());
  CHECK_THAT(cols.out, Catch::Contains("| `final_test_acc` | the test part's accuracy at the end "
                                       "| tunable, higher is better; in best.csv |"));
  CHECK(rows(run_descent("list outputs --markdown").out, "| `").size() ==
        descent::sweep_outputs().size());
  CHECK(rows(run_descent("list problems --markdown").out, "| `").size() ==
        descent::problem_registry().size());
}

TEST_CASE("bad input is one error line and exit status 2", "[cli]") {
  check_usage_error("run --problem rosenbrock --optimizer adamz", "unknown optimizer 'adamz'");
  check_usage_error("run --problem rosenbrock --optimizer adam:lr=-1", "key 'lr' must be > 0");
  check_usage_error("run --problem rosenbrock --optimizer adam:beta1=x", "'adam:beta1=x'");
  check_usage_error("run --problem cubic --optimizer sgd", "unknown problem 'cubic'");
  check_usage_error("run --problem rosenbrock --optimizer sgd --schedule exp:gamma=-1",
                    "key 'gamma' must be > 0");
  check_usage_error("run --problem rosenbrock --optimizer sgd --x0 1,2,3", "3 coordinates");
  check_usage_error("run --problem rosenbrock --optimizer sgd --x0 1,a", "'a' is not a number");
  check_usage_error("run --problem rosenbrock --optimizer sgd --iters 0",
                    "--iters: expected a whole number >= 1, got '0'");
  check_usage_error("run --problem rosenbrock --optimizer sgd --iters 1e3", "got '1e3'");
  check_usage_error("run --problem logreg --optimizer sgd --epochs -1",
                    "--epochs: expected a finite number > 0, got '-1'");
  check_usage_error("run --problem logreg --optimizer sgd --epochs inf", "got 'inf'");
  check_usage_error("run --problem rosenbrock --optimizer sgd --iters 5 --epochs 2", "excludes");
  check_usage_error("run --problem rosenbrock --optimizer sgd --batch 4", "no data samples");
  check_usage_error("run --optimizer sgd", "--problem");
  check_usage_error("list widgets", "widgets");
  check_usage_error("run --problem rosenbrock --optimizer muon",
                    "problem 'rosenbrock:dim=2': optimizer 'muon' preconditions matrices");
  check_usage_error("run --problem rosenbrock:dim=12,shape=5x2 --optimizer muon",
                    "shape=5x2 does not match its dimension 12");
  check_usage_error("frobnicate", "frobnicate");
}

TEST_CASE("run with a trace writes the documented CSV, one row per step", "[cli]") {
  const auto path = std::filesystem::temp_directory_path() / "descent_cli_trace.csv";
  std::filesystem::remove(path);
  const Outcome o = run_descent(
      "run --problem rosenbrock --optimizer sgd:lr=1e-3 --iters 5 --x0 -1.2,1 "
      "--trace-x --trace " +
      path.string());
  REQUIRE(o.status == 0);
  const descent::CsvTable t = descent::read_csv(path);
  // The columns rosenbrock has (a known f*, no test set), in traces.csv's order, then x.
  CHECK(t.header == std::vector<std::string>{"iter", "epoch", "grad_evals", "time_s", "loss",
                                             "eval_loss", "gap", "grad_norm", "x0", "x1"});
  REQUIRE(t.rows.size() == 6);
  CHECK(t.rows[0][t.column("iter")] == "0");
  CHECK(std::stod(t.rows[0][t.column("loss")]) == Approx(24.2));
  CHECK(t.rows[0][t.column("x0")] == "-1.2");
  CHECK(t.rows[5][t.column("iter")] == "5");
  CHECK_FALSE(std::filesystem::exists(path.string() + ".partial"));
}

TEST_CASE("a failing run leaves no trace file behind", "[cli]") {
  const auto path = std::filesystem::temp_directory_path() / "descent_cli_missing.csv";
  std::filesystem::remove(path);
  const Outcome o =
      run_descent("run --problem rosenbrock --optimizer sgd --x0 1 --trace " + path.string());
  CHECK(o.status == 2);
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK_FALSE(std::filesystem::exists(path.string() + ".partial"));
}

TEST_CASE("Ctrl-C stops a sweep after the runs in flight; resume finishes it", "[cli]") {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("descent_cli_sigint_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "e.toml") << "name = \"sigint\"\nproblems = [\"rosenbrock\"]\nseeds = 24\n"
                                   "budget = { iters = 2000000 }\nlog = { points = 5 }\n"
                                   "[optimizers.adam]\nlr = 1e-3\n";
  const std::string sweep = std::string(DESCENT_EXE) + " sweep " + (dir / "e.toml").string() +
                            " --threads 1 --quiet --out " + (dir / "out").string();
  const std::string script =
      sweep + " 2>/dev/null & pid=$!; sleep 0.5; kill -INT $pid; wait $pid; echo $? > " +
      (dir / "status").string();
  REQUIRE(std::system(script.c_str()) == 0);
  CHECK(slurp((dir / "status").string()) == "130\n");
  CHECK_FALSE(fs::exists(dir / "out" / "runs.csv"));
  const auto partial = descent::read_csv(dir / "out" / "runs.partial.csv");
  CHECK(partial.rows.size() >= 1);
  CHECK(partial.rows.size() < 24);
  const Outcome again = run_descent("sweep " + (dir / "e.toml").string() +
                                    " --threads 2 --resume --out " + (dir / "out").string());
  CHECK(again.status == 0);
  CHECK_THAT(again.err, Catch::Contains("resumed"));
  CHECK(descent::read_csv(dir / "out" / "runs.csv").rows.size() == 24);
  fs::remove_all(dir);
}

TEST_CASE("sweep errors are one line and exit status 2", "[cli]") {
  namespace fs = std::filesystem;
  const fs::path file =
      fs::temp_directory_path() / ("descent_cli_bad_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(file) << "name = \"bad\"\nproblems = [\"quadratic\"]\nbudget = { iters = 10 }\n"
                         "[optimizers.adam]\nlr = -1\n";
  check_usage_error("sweep " + file.string(), file.string() + ":5");
  check_usage_error("sweep /nonexistent.toml", "cannot read experiment file");
  check_usage_error("sweep " + file.string() + " --shard 3/2", "shard");
  check_usage_error("sweep " + file.string() + " --threads 0",
                    "--threads: expected a whole number from 1 to 1024, got '0'");
  check_usage_error("sweep " + file.string() + " --threads 5000000000", "got '5000000000'");
  check_usage_error("merge /nonexistent --out /tmp/x", "/nonexistent is missing");
  check_usage_error("merge / --out /tmp/x", "/ has no experiment.toml (not a finished sweep)");
  fs::remove(file);
}

TEST_CASE("sweep --dry-run lists every run, with its dtype, and writes nothing", "[cli]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("descent_dry_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path file = dir / "e.toml";
  std::ofstream(file) << "name = \"dry\"\nproblems = [\"logreg\"]\nseeds = 2\n"
                         "budget = { iters = 10 }\ndtype = [\"float64\", \"float32\"]\n"
                         "[optimizers.adam]\nlr = [0.01, 0.1]\n";
  const Outcome o =
      run_descent("sweep " + file.string() + " --out " + (dir / "out").string() + " --dry-run");
  CHECK(o.status == 0);
  CHECK_THAT(o.out, Catch::EndsWith("8 runs\n"));
  CHECK_THAT(o.out, Catch::StartsWith("0\tlogreg\tadam:flavor=torch,lr=0.01,"));
  CHECK_THAT(o.out, Catch::Contains("\tbatch=0\tfloat32\trep=1\n"));
  CHECK(std::count(o.out.begin(), o.out.end(), '\n') == 9);
  CHECK_FALSE(fs::exists(dir / "out" / "runs.csv"));
  fs::remove_all(dir);
}
