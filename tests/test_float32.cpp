// float32 runs (dtype float32): the data problems and the first-order optimizers in float, the
// losses accumulated in double.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "lib/csv.hpp"
#include "lib/harness/experiment.hpp"
#include "lib/harness/run_specs.hpp"
#include "lib/harness/sweep.hpp"
#include "lib/optimizer_registry.hpp"
#include "tests/sweep_fixtures.hpp"

using namespace descent;
using namespace descent::testing;

namespace {

RunResult run_in(Dtype dtype, const std::string& problem, const std::string& optimizer,
                 Index iters) {
  RunSettings s;
  s.budget.iters = iters;
  s.seed = 0;
  return SpecRun(problem, optimizer, "constant", 0, dtype).run(s);
}

double relative(double a, double b) { return std::abs(a - b) / std::abs(b); }

// Higham's bound on the relative error of an n-term float dot product: γ_n = n u / (1 − n u),
// u = 2⁻²⁴ the unit roundoff of float.
double gamma_f(int n) {
  const double u = std::ldexp(1.0, -24);
  return n * u / (1 - n * u);
}

}  // namespace

TEST_CASE("a float32 logreg run follows torch's float32 Adam to 1e-4 over 100 steps", "[float32]") {
  // tests/golden/float32/torch_logreg.py made the reference from this instance.
  const CsvTable ref =
      read_csv(std::string(DESCENT_SOURCE_DIR) + "/tests/golden/float32/torch_logreg.csv");
  const RunResult r =
      run_in(Dtype::float32, "logreg:data=breast_cancer,l2=1e-3", "adam:lr=1e-2", 100);
  REQUIRE(r.summary.status == Status::ok);
  REQUIRE(r.trace.size() == ref.rows.size());
  double worst = 0;
  for (std::size_t i = 0; i < ref.rows.size(); ++i) {
    INFO("step " << i);
    const double torch = std::stod(ref.rows[i][ref.column("loss")]);
    CHECK(relative(r.trace[i].loss, torch) <= 1e-4);
    worst = std::max(worst, relative(r.trace[i].loss, torch));
  }
  WARN("float32 logreg against torch float32 Adam: worst relative loss difference " << worst);
  // The double run of the same instance is a different computation: it reaches a loss that
  // differs from the float runs' in the 7th digit, not the 16th.
  const RunResult d =
      run_in(Dtype::float64, "logreg:data=breast_cancer,l2=1e-3", "adam:lr=1e-2", 100);
  CHECK(d.summary.final_loss != r.summary.final_loss);
}

// The tolerance: in float, every evaluation is the double one up to rounding. A layer's products
// are dot products of at most n = 65 terms (64 inputs or hidden units and the bias), each with a
// relative error of at most γ_65 ≈ 3.9e-6; the loss at the shared start point, where only the
// rounding of x0 and of the products separates the two, must agree to γ_65. Each later step
// adds a perturbation of the same relative size to an iterate that the loss then feeds on;
// without amplification they add up, so after t steps the losses agree to (t + 1) γ_65. A float
// path that computed anything differently (a missing bias, a product left in double, a wrong
// cast) is off by far more, while the two runs' test accuracies, read off 359 test samples, stay
// within one sample.
TEST_CASE("a float32 MLP run stays within the rounding bound of the double run", "[float32]") {
  const std::string mlp = "mlp:data=digits,hidden=64";
  for (const char* optimizer : {"adam:lr=1e-3", "momentum:lr=0.05", "sgd:lr=0.1"}) {
    INFO(optimizer);
    const RunResult d = run_in(Dtype::float64, mlp, optimizer, 200);
    const RunResult f = run_in(Dtype::float32, mlp, optimizer, 200);
    REQUIRE(d.trace.size() == f.trace.size());
    CHECK(relative(f.trace[0].loss, d.trace[0].loss) <= gamma_f(65));
    for (std::size_t i = 0; i < d.trace.size(); ++i) {
      INFO("step " << d.trace[i].iter);
      CHECK(relative(f.trace[i].loss, d.trace[i].loss) <= double(i + 1) * gamma_f(65));
    }
    CHECK(std::abs(f.summary.final_test_acc - d.summary.final_test_acc) <= 1.0 / 359 + 1e-12);
    CHECK(f.summary.final_loss != d.summary.final_loss);  // it did run in float
  }
}

TEST_CASE("every first-order optimizer steps in float32 on softmax", "[float32]") {
  // Values for the keys an optimizer requires (adafactor's lr, shampoo's eps: in float, 1e-6 is
  // below what the eigensolver resolves against the largest eigenvalue of its statistics).
  const std::map<std::string, std::string> required = {{"lr", "1e-2"}, {"eps", "1e-4"}};
  for (const OptimizerEntry& e : optimizer_registry()) {
    if (e.origin != "built in") continue;
    std::string spec = e.info.name;
    for (const Key& k : e.keys)
      if (k.required) {
        REQUIRE(required.count(k.name));
        spec += (spec == e.info.name ? ":" : ",") + k.name + "=" + required.at(k.name);
      }
    INFO(spec);
    const RunResult d = run_in(Dtype::float64, "softmax:data=digits,l2=0", spec, 20);
    const RunResult f = run_in(Dtype::float32, "softmax:data=digits,l2=0", spec, 20);
    CHECK(f.summary.status == d.summary.status);
    CHECK(std::isfinite(f.summary.final_loss));
    // Twenty steps of rounding: the float run's loss is the double run's to 1e-3.
    CHECK(relative(f.summary.final_loss, d.summary.final_loss) <= 1e-3);
  }
}

TEST_CASE("float32 with a problem or optimizer without a float path is a usage error naming both",
          "[float32]") {
  auto message = [](const std::string& problem, const std::string& optimizer) {
    try {
      SpecRun(problem, optimizer, "constant", 0, Dtype::float32);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("rosenbrock", "adam") ==
        "problem 'rosenbrock:dim=2': dtype float32 with optimizer 'adam': the problem has no "
        "float path (the data problems have one)");
  CHECK(message("logreg", "lbfgs") ==
        "problem 'logreg:data=breast_cancer,l2=1e-3,test_frac=0.2,standardize=1': dtype float32 "
        "with optimizer 'lbfgs': it works in double precision only (line-search, second-order "
        "and Python optimizers have no float path)");
  CHECK_THROWS_WITH(dtype_option("float16"),
                    "--dtype: unknown dtype 'float16' (dtypes: float64, float32)");
}

TEST_CASE("an experiment's dtype runs each configuration in each, recorded in runs.csv",
          "[float32]") {
  const std::string text = R"(
name = "dtypes"
problems = ["logreg:data=breast_cancer"]
seeds = 2
budget = { iters = 30 }
dtype = ["float64", "float32"]
[optimizers.adam]
lr = [1e-2, 1e-1]
[optimizers.adam_f32]
optimizer = "adam"
dtype = "float32"
lr = [1e-2, 1e-1]
)";
  const Experiment e = parse_experiment(text, "dtypes.toml");
  const std::vector<RunSpec> runs = expand(e);
  REQUIRE(runs.size() == 12);
  // Within a configuration: dtype, then repetition; the same seeds in each dtype.
  for (std::size_t i = 0; i < 8; ++i)
    CHECK(runs[i].dtype == (i % 4 < 2 ? Dtype::float64 : Dtype::float32));
  for (std::size_t i = 8; i < 12; ++i) CHECK(runs[i].dtype == Dtype::float32);
  CHECK(runs[2].seed == runs[0].seed);
  const fs::path dir = fresh_dir("dtypes");
  const SweepOutcome out = sweep(e, dir, 2);
  CHECK(out.ok == 12);
  const CsvTable t = read_csv(dir / "runs.csv");
  const std::size_t dtype = t.column("dtype"), loss = t.column("final_loss");
  for (std::size_t i = 0; i < 8; i += 4) {
    CHECK(t.rows[i][dtype] == "float64");
    CHECK(t.rows[i + 2][dtype] == "float32");
    CHECK(relative(std::stod(t.rows[i + 2][loss]), std::stod(t.rows[i][loss])) <= 1e-4);
    CHECK(t.rows[8 + i / 2][loss] == t.rows[i + 2][loss]);  // the float32 table: the same runs
  }
  // A table per dtype puts each in best.csv (a dtype list is one more configuration axis).
  CHECK(read_csv(dir / "best.csv").rows.size() == 2);
  fs::remove_all(dir);

  auto error = [&](const std::string& replace, const std::string& with) {
    std::string broken = text;
    broken.replace(broken.find(replace), replace.size(), with);
    try {
      check_experiment(parse_experiment(broken, "dtypes.toml"));
    } catch (const UsageError& err) {
      return std::string(err.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error(R"(dtype = ["float64", "float32"])", R"(dtype = "half")"),
             Catch::Contains("dtypes.toml:6: key 'dtype': unknown dtype 'half'"));
  CHECK_THAT(error(R"(dtype = ["float64", "float32"])", R"(dtype = ["float32", "float32"])"),
             Catch::Contains("'float32' is listed twice"));
  CHECK_THAT(error("[optimizers.adam]\nlr = [1e-2, 1e-1]", "[optimizers.lbfgs]"),
             Catch::Contains("dtypes.toml:6: key 'dtype': table [optimizers.lbfgs]: dtype float32 "
                             "with optimizer 'lbfgs'"));
  CHECK_THAT(error("optimizer = \"adam\"", "optimizer = \"cg\""),
             Catch::Contains("dtypes.toml:11: key 'optimizers.adam_f32.dtype': table "
                             "[optimizers.adam_f32]: dtype float32 with optimizer 'cg'"));
  CHECK_THAT(error("logreg:data=breast_cancer", "rosenbrock"),
             Catch::Contains("dtype float32: problem 'rosenbrock' has no float path"));
}
