// The keys and the recorder behind the course-notes experiments (issue 23): the MLP's
// `init_scale` and per-layer norms (Mlp::layer_stats, `descent inspect layers`), the data
// problems' `standardize`, and `descent inspect` as a user meets it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "problems/classifier.hpp"
#include "problems/logreg.hpp"
#include "problems/mlp.hpp"
#include "problems/registry.hpp"
#include "tests/cli_runner.hpp"
#include "tests/problem_helpers.hpp"

using namespace descent;
using namespace descent::testing;

namespace {

// Three samples, two features, two classes; no split, no standardization: the network sees
// exactly these numbers.
std::string tiny_mlp(const std::string& extra) {
  const auto path = temp_file("tiny_mlp.csv", "a,b,label\n1,2,0\n-1,0.5,1\n0.5,-2,0\n");
  return "mlp:data=" + path.string() + ",hidden=3,act=tanh,test_frac=0,standardize=0" + extra;
}

}  // namespace

TEST_CASE("layer_stats: activation RMS and weight-gradient norms by hand", "[course][mlp]") {
  const auto p = make_problem(tiny_mlp(""), 4);
  const Mlp& mlp = as<Mlp>(p);
  const VecX x = mlp.initial_point(0);
  // The documented layout: layer l is an (in + 1) × out column-major block, the bias last.
  const MatX W1 = Eigen::Map<const MatX>(x.data(), 3, 3).topRows(2);
  const VecX b1 = Eigen::Map<const MatX>(x.data(), 3, 3).row(2).transpose();
  const MatX W2 = Eigen::Map<const MatX>(x.data() + 9, 4, 2).topRows(3);
  const VecX b2 = Eigen::Map<const MatX>(x.data() + 9, 4, 2).row(3).transpose();
  MatX X(3, 2);
  X << 1, 2, -1, 0.5, 0.5, -2;
  const Eigen::Vector3i y(0, 1, 0);
  const MatX A = ((X * W1).rowwise() + b1.transpose()).array().tanh().matrix();
  MatX Z = (A * W2).rowwise() + b2.transpose();
  MatX P = Z.array().exp().matrix();
  for (Index i = 0; i < 3; ++i) P.row(i) /= P.row(i).sum();
  MatX D = P;  // ∂f/∂z = (P − Y)/n
  for (Index i = 0; i < 3; ++i) D(i, y[i]) -= 1;
  D /= 3;
  const MatX gW2 = A.transpose() * D;
  const MatX dH = ((D * W2.transpose()).array() * (1 - A.array().square())).matrix();
  const MatX gW1 = X.transpose() * dH;

  const auto stats = mlp.layer_stats(x);
  REQUIRE(stats.size() == 2);
  CHECK(stats[0].in == 2);
  CHECK(stats[0].out == 3);
  CHECK(stats[1].out == 2);
  CHECK(stats[0].activation_rms == Approx(std::sqrt(A.squaredNorm() / 9)).epsilon(1e-12));
  CHECK(std::isnan(stats[1].activation_rms));
  CHECK(stats[0].grad_norm == Approx(gW1.norm()).epsilon(1e-12));
  CHECK(stats[1].grad_norm == Approx(gW2.norm()).epsilon(1e-12));
}

TEST_CASE("init_scale multiplies the initialization's σ, and only that", "[course][mlp]") {
  for (const char* init : {"he", "xavier", "normal"}) {
    INFO(init);
    const auto base = make_problem(tiny_mlp(std::string(",init=") + init), 7);
    const auto scaled = make_problem(tiny_mlp(std::string(",init=") + init + ",init_scale=100"), 7);
    const VecX x = base->initial_point(0), xs = scaled->initial_point(0);
    CHECK((xs - 100 * x).norm() <= 1e-12 * xs.norm());
    CHECK(x.norm() > 0);
  }
  // The layer norms follow: σ = 0.01 · 100 = 1 saturates tanh, σ = 0.01 nearly zeroes it.
  const auto small = make_problem("mlp:data=digits,hidden=64x64x64,act=tanh,init=normal", 0);
  const auto big =
      make_problem("mlp:data=digits,hidden=64x64x64,act=tanh,init=normal,init_scale=100", 0);
  const auto s = as<Mlp>(small).layer_stats(small->initial_point(0));
  const auto b = as<Mlp>(big).layer_stats(big->initial_point(0));
  CHECK(s[2].activation_rms < 1e-3);  // each layer multiplies the scale by about 0.01·√64
  CHECK(b[2].activation_rms > 0.9);   // saturated: |tanh| near 1
}

TEST_CASE("standardize=0 keeps the raw features; 1 (the default) standardizes", "[course][data]") {
  const auto raw = make_problem("logreg:data=breast_cancer,standardize=0", 0);
  const auto std1 = make_problem("logreg:data=breast_cancer", 0);
  const auto& r = as<LogReg>(raw).data().train.x;
  const auto& s = as<LogReg>(std1).data().train.x;
  REQUIRE(r.rows() == s.rows());
  // Standardized columns have mean 0 and sd 1; the raw ones (areas in the hundreds) do not.
  CHECK(s.colwise().mean().cwiseAbs().maxCoeff() < 1e-12);
  CHECK(r.colwise().maxCoeff().maxCoeff() > 100);
  // The raw columns are the standardized ones undone: x = s · scale + mean per column.
  const RowMat back =
      ((s.array().rowwise() * as<LogReg>(std1).data().scale.transpose().array()).rowwise() +
       as<LogReg>(std1).data().mean.transpose().array())
          .matrix();
  CHECK((back - r).norm() <= 1e-9 * r.norm());
}

TEST_CASE("descent inspect: the Hessian's conditioning with and without standardization",
          "[course][cli]") {
  const Outcome raw =
      run_descent("inspect hessian --problem logreg:data=breast_cancer,standardize=0");
  const Outcome std1 = run_descent("inspect hessian --problem logreg:data=breast_cancer");
  REQUIRE(raw.status == 0);
  REQUIRE(std1.status == 0);
  auto cond = [](const std::string& out) { return std::stod(out.substr(out.rfind(',') + 1)); };
  CHECK(cond(std1.out) > 1);
  CHECK(cond(raw.out) > 1e3 * cond(std1.out));  // raw areas and radii differ by 1e3 in scale
}

TEST_CASE("descent inspect layers and steps write their CSV", "[course][cli]") {
  const Outcome layers = run_descent("inspect layers --problem mlp:data=moons,hidden=4x4");
  REQUIRE(layers.status == 0);
  CHECK_THAT(layers.out, Catch::StartsWith("layer,in,out,activation_rms,grad_norm\n1,2,4,"));
  const Outcome steps =
      run_descent("inspect steps --problem quadratic:dim=4 --optimizer sgd:lr=0.1 --iters 3");
  REQUIRE(steps.status == 0);
  CHECK_THAT(steps.out, Catch::StartsWith("iter,loss,grad_norm,step_norm\n0,"));
  // 4 rows after the header: the start point and 3 steps; a step's size is lr ‖g‖ for sgd.
  std::vector<std::vector<double>> rows;
  std::stringstream in(steps.out.substr(steps.out.find('\n') + 1));
  for (std::string line; std::getline(in, line);) {
    std::vector<double> row;
    std::stringstream cells(line);
    for (std::string c; std::getline(cells, c, ',');) row.push_back(c.empty() ? NAN : std::stod(c));
    rows.push_back(row);
  }
  REQUIRE(rows.size() == 4);
  for (std::size_t k = 1; k < 4; ++k) CHECK(rows[k][3] == Approx(0.1 * rows[k - 1][2]));
}

TEST_CASE("the new keys and inspect: bad input is one error line and exit status 2",
          "[course][cli]") {
  const std::pair<const char*, const char*> cases[] = {
      {"run --problem mlp:init_scale=0 --optimizer sgd --iters 1", "init_scale"},
      {"run --problem mlp:init_scale=-1 --optimizer sgd --iters 1", "init_scale"},
      {"run --problem logreg:standardize=2 --optimizer sgd --iters 1", "standardize"},
      {"run --problem softmax:standardize=yes --optimizer sgd --iters 1", "standardize"},
      {"inspect layers --problem quadratic", "not an mlp"},
      {"inspect hessian --problem mlp:data=moons", "no Hessian"},
      {"inspect hessian --problem rosenbrock", "no computed minimizer"},
      {"inspect steps --problem rosenbrock", "--optimizer"},
      {"inspect nonesuch --problem rosenbrock", "nonesuch"},
      {"gradcheck --problem rosenbrock --steps 0", "--steps"},
      {"gradcheck --problem rosenbrock --steps 1e-3,x", "--steps"},
      {"gradcheck --problem rosenbrock --mask sometimes", "--mask"}};
  for (const auto& [args, key] : cases) {
    INFO(args);
    const Outcome o = run_descent(args);
    CHECK(o.status == 2);
    CHECK_THAT(o.err, Catch::StartsWith("error:") && Catch::Contains(key));
    CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 1);
  }
}

TEST_CASE("descent gradcheck --steps and --mask", "[course][cli]") {
  const Outcome steps = run_descent("gradcheck --problem rosenbrock --steps 1e-2,1e-3");
  REQUIRE(steps.status == 0);
  CHECK_THAT(steps.out, Catch::StartsWith("step,one_sided,central\n0.01,"));
  const std::string drop = "gradcheck --problem mlp:data=moons,hidden=5,act=tanh,dropout=0.5";
  const Outcome fresh = run_descent(drop + " --mask fresh");
  CHECK(fresh.status == 1);
  CHECK_THAT(fresh.out, Catch::Contains("masks      fresh") &&
                            Catch::Contains("the masks change between evaluations") &&
                            Catch::Contains("result     FAILED"));
  const Outcome fixed = run_descent(drop + " --mask fixed");
  CHECK(fixed.status == 0);
  CHECK_THAT(fixed.out, Catch::Contains("result     ok"));
}
