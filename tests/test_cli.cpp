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

namespace {

struct Outcome {
  int status;
  std::string out, err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Outcome run_descent(const std::string& args) {
  // Unique names: ctest runs test cases in parallel processes.
  const auto dir = std::filesystem::temp_directory_path();
  const std::string tag = std::to_string(::getpid());
  const auto out = dir / ("descent_cli_out_" + tag), err = dir / ("descent_cli_err_" + tag);
  const std::string cmd =
      std::string(DESCENT_EXE) + " " + args + " >" + out.string() + " 2>" + err.string();
  const int raw = std::system(cmd.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
}

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

TEST_CASE("bad input is one error line and exit status 2", "[cli]") {
  check_usage_error("run --problem rosenbrock --optimizer adamz", "unknown optimizer 'adamz'");
  check_usage_error("run --problem rosenbrock --optimizer adam:lr=-1", "key 'lr' must be > 0");
  check_usage_error("run --problem rosenbrock --optimizer adam:beta1=x", "'adam:beta1=x'");
  check_usage_error("run --problem cubic --optimizer sgd", "unknown problem 'cubic'");
  check_usage_error("run --problem rosenbrock --optimizer sgd --schedule exp:gamma=-1",
                    "key 'gamma' must be > 0");
  check_usage_error("run --problem rosenbrock --optimizer sgd --x0 1,2,3", "3 coordinates");
  check_usage_error("run --problem rosenbrock --optimizer sgd --x0 1,a", "'a' is not a number");
  check_usage_error("run --problem rosenbrock --optimizer sgd --iters 0", "iters");
  check_usage_error("run --problem rosenbrock --optimizer sgd --iters 5 --epochs 2", "excludes");
  check_usage_error("run --problem rosenbrock --optimizer sgd --batch 4", "no data samples");
  check_usage_error("run --optimizer sgd", "--problem");
  check_usage_error("list widgets", "widgets");
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
  REQUIRE(t.header.size() >= 5);
  CHECK(std::vector<std::string>(t.header.begin(), t.header.begin() + 5) ==
        std::vector<std::string>{"iter", "epoch", "time_s", "loss", "grad_norm"});
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
