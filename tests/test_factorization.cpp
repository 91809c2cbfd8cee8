// The low-rank matrix factorization problem (problems/factorization.hpp): the target's spectrum,
// the Eckart–Young optimum, the U and V blocks, the saddle at 0, the start point, its keys, and
// a run that leaves the saddle. Its gradient and Hessian: the gradcheck test in test_problems.
#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <utility>

#include "problems/factorization.hpp"
#include "problems/registry.hpp"
#include "tests/problem_helpers.hpp"
#include "tests/run_spec.hpp"

using namespace descent;
using namespace descent::testing;
using Catch::Matchers::Contains;

namespace {

const Factorization& as_factorization(const std::unique_ptr<Problem>& p) {
  const auto* f = dynamic_cast<const Factorization*>(p.get());
  REQUIRE(f != nullptr);
  return *f;
}

// Entry (i, j) of a block inside the flat vector.
double& at(VecX& x, const Block& b, Index i, Index j) { return x[b.offset + i * b.stride + j]; }

// x from the matrices U and V, through the problem's layout.
VecX pack(const Problem& p, const MatX& u, const MatX& v) {
  const Layout layout = p.layout();
  REQUIRE(layout.size() == 2);
  VecX x = VecX::Constant(p.dim(), std::nan(""));
  for (Index i = 0; i < u.rows(); ++i)
    for (Index a = 0; a < u.cols(); ++a) at(x, layout[0], i, a) = u(i, a);
  for (Index j = 0; j < v.rows(); ++j)
    for (Index a = 0; a < v.cols(); ++a) at(x, layout[1], j, a) = v(j, a);
  REQUIRE(x.allFinite());
  return x;
}

}  // namespace

TEST_CASE("factorization: M has the requested rank, condition number and scale",
          "[factorization]") {
  struct Case {
    std::string spec;
    Index m, n, r;
    double cond;
  };
  for (const Case& c : {Case{"factorization", 32, 32, 4, 10},
                        Case{"factorization:m=20,n=12,rank=5,cond=1e3", 20, 12, 5, 1e3},
                        Case{"factorization:m=9,n=15,rank=9,cond=2", 9, 15, 9, 2},
                        Case{"factorization:m=6,n=7,rank=1,cond=50", 6, 7, 1, 1}}) {
    INFO(c.spec);
    const auto p = make_problem(c.spec, 5);
    const Factorization& f = as_factorization(p);
    const MatX& target = f.target();
    REQUIRE(target.rows() == c.m);
    REQUIRE(target.cols() == c.n);
    const VecX s = Eigen::JacobiSVD<MatX>(target).singularValues();
    // Rank r: r singular values of order 1 and the rest at rounding level.
    for (Index i = 0; i < c.r; ++i) CHECK(s[i] > 0.5 / c.cond);
    if (s.size() > c.r) CHECK(s[c.r] < 1e-12 * s[0]);
    CHECK(s[0] / s[c.r - 1] == Approx(c.cond).epsilon(1e-10));
    // The documented spectrum: log-spaced, ‖M‖_F² = Σ σ_i² = m n.
    CHECK(target.squaredNorm() == Approx(double(c.m * c.n)).epsilon(1e-12));
    const VecX& sigma = f.singular_values();
    REQUIRE(sigma.size() == c.r);
    for (Index i = 0; i < c.r; ++i) {
      CHECK(s[i] == Approx(sigma[i]).epsilon(1e-10));
      if (i > 0 && i + 1 < c.r)  // geometric: σ_i² = σ_{i−1} σ_{i+1}
        CHECK(sigma[i] * sigma[i] == Approx(sigma[i - 1] * sigma[i + 1]).epsilon(1e-12));
    }
    // f(0) = ½ ‖M‖_F² / (m n) = ½.
    CHECK(value(*p, VecX::Zero(p->dim())) == Approx(0.5).epsilon(1e-12));
  }
  // The instance is a function of the seed.
  const auto a = make_problem("factorization:m=8,n=6,rank=3", 1);
  const auto b = make_problem("factorization:m=8,n=6,rank=3", 1);
  const auto c = make_problem("factorization:m=8,n=6,rank=3", 2);
  CHECK(as_factorization(a).target() == as_factorization(b).target());
  CHECK((as_factorization(a).target() - as_factorization(c).target()).norm() > 1);
}

TEST_CASE("factorization: the best rank-k factors reach the Eckart–Young value",
          "[factorization]") {
  // Σ_{i>k} σ_i² / Σ σ_i² does not depend on m and n: with σ ∝ (1, 1/2, 1/4) and k = 1,
  // f* = ½ (1/4 + 1/16) / (1 + 1/4 + 1/16) = 5/42.
  CHECK(*make_problem("factorization:m=10,n=8,rank=3,k=1,cond=4", 0)->optimum() ==
        Approx(5.0 / 42).epsilon(1e-14));
  CHECK(*make_problem("factorization:m=10,n=8,rank=3,k=2,cond=4", 0)->optimum() ==
        Approx(0.5 / 21).epsilon(1e-14));
  for (const std::string spec :
       {"factorization", "factorization:m=12,n=9,rank=4,k=2,cond=30",
        "factorization:m=12,n=9,rank=4,k=1,cond=30", "factorization:m=7,n=9,rank=3,k=5",
        "factorization:m=10,n=8,rank=3,k=1,cond=4"}) {
    INFO(spec);
    const auto p = make_problem(spec, 11);
    const Factorization& f = as_factorization(p);
    const Index k = f.factor_rank(), m = f.target().rows(), n = f.target().cols();
    const Eigen::JacobiSVD<MatX> svd(f.target(), Eigen::ComputeThinU | Eigen::ComputeThinV);
    const Index kept = std::min(k, Index(svd.singularValues().size()));
    // U = P_k S_k^½, V = Q_k S_k^½, zero columns beyond M's singular values (k > r).
    MatX u = MatX::Zero(m, k), v = MatX::Zero(n, k);
    const VecX root = svd.singularValues().head(kept).cwiseSqrt();
    u.leftCols(kept) = svd.matrixU().leftCols(kept) * root.asDiagonal();
    v.leftCols(kept) = svd.matrixV().leftCols(kept) * root.asDiagonal();
    const VecX x = pack(*p, u, v);
    const auto fstar = p->optimum();
    REQUIRE(fstar.has_value());
    const VecX& sigma = f.singular_values();
    const Index r = sigma.size();
    double tail = 0;
    for (Index i = k; i < r; ++i) tail += sigma[i] * sigma[i];
    CHECK(*fstar == Approx(0.5 * tail / double(m * n)).epsilon(1e-14));
    if (k >= r) {
      CHECK(*fstar == 0);
      CHECK(value(*p, x) < 1e-25);
    } else {
      CHECK(*fstar > 1e-3);
      CHECK(value(*p, x) == Approx(*fstar).epsilon(1e-12));
    }
    // A stationary point, and by Eckart–Young no rank-k point does better: random ones do worse.
    CHECK(gradient(*p, x).norm() < 1e-12);
    Rng rng(3);
    VecX y = x;
    for (Index i = 0; i < y.size(); ++i) y[i] += 1e-2 * rng.normal();
    CHECK(value(*p, y) > *fstar + 1e-8);
  }
}

TEST_CASE("factorization: x is U then V, row-major, as two matrix blocks", "[factorization]") {
  const auto p = make_problem("factorization:m=7,n=5,rank=3,k=2", 4);
  CHECK(describe(p->layout()) == "U 7×2, V 5×2");
  CHECK(describe(make_problem("factorization", 0)->layout()) == "U 32×4, V 32×4");
  CHECK(describe(make_problem("factorization:m=9,n=3,rank=2,k=6", 0)->layout()) == "U 9×6, V 3×6");
  CHECK(p->dim() == (7 + 5) * 2);
  const Layout layout = p->layout();
  CHECK(has_matrix(layout));
  CHECK((layout[0].offset == 0 && layout[0].stride == 2 && layout[0].matrix));
  CHECK((layout[1].offset == 14 && layout[1].stride == 2 && layout[1].matrix));
  // The loss and gradient of matrices placed through the blocks are those of the formula.
  Rng rng(8);
  MatX u(7, 2), v(5, 2);
  for (Index i = 0; i < u.size(); ++i) u.data()[i] = rng.normal();
  for (Index i = 0; i < v.size(); ++i) v.data()[i] = rng.normal();
  const VecX x = pack(*p, u, v);
  const MatX r = u * v.transpose() - as_factorization(p).target();
  CHECK(value(*p, x) == Approx(0.5 * r.squaredNorm() / 35).epsilon(1e-13));
  VecX g(p->dim());
  p->loss_grad(x, g);
  VecX want = pack(*p, r * v / 35, r.transpose() * u / 35);
  CHECK((g - want).norm() < 1e-13 * want.norm());
  CHECK(p->loss(x) == value(*p, x));
}

TEST_CASE("factorization: U = V = 0 is a strict saddle", "[factorization]") {
  for (const std::string spec :
       {"factorization:m=8,n=6,rank=3", "factorization:m=5,n=9,rank=2,k=3"}) {
    INFO(spec);
    const auto p = make_problem(spec, 2);
    const Factorization& f = as_factorization(p);
    const Index d = p->dim(), k = f.factor_rank();
    const double mn = double(f.target().size());
    const VecX zero = VecX::Zero(d);
    CHECK(gradient(*p, zero).norm() == 0);
    REQUIRE(p->has_hessian());
    MatX h(d, d);
    p->hessian(zero, h);
    const VecX eig = Eigen::SelfAdjointEigenSolver<MatX>(h).eigenvalues();
    // ±σ_i / (m n), each k times: the most negative is −σ_1 / (m n).
    const double sigma1 = f.singular_values()[0];
    CHECK(eig[0] == Approx(-sigma1 / mn).epsilon(1e-12));
    CHECK(eig[d - 1] == Approx(sigma1 / mn).epsilon(1e-12));
    CHECK(eig[k - 1] == Approx(-sigma1 / mn).epsilon(1e-12));
    Index negative = 0;
    for (Index i = 0; i < d; ++i) negative += eig[i] < -1e-12;
    CHECK(negative == f.singular_values().size() * k);
    // Along the top singular pair the loss goes down quadratically: f(t u, t v) < f(0).
    const Eigen::JacobiSVD<MatX> svd(f.target(), Eigen::ComputeThinU | Eigen::ComputeThinV);
    MatX u = MatX::Zero(f.target().rows(), k), v = MatX::Zero(f.target().cols(), k);
    u.col(0) = 1e-3 * svd.matrixU().col(0);
    v.col(0) = 1e-3 * svd.matrixV().col(0);
    const double drop = value(*p, zero) - value(*p, pack(*p, u, v));
    CHECK(drop == Approx(1e-6 * sigma1 / mn).epsilon(1e-5));  // −½ · 2 · (−σ_1/(mn)) · 1e-6
  }
}

TEST_CASE("factorization: the start is small, random by seed and next to the saddle",
          "[factorization]") {
  const auto p = make_problem("factorization", 0);
  const Index d = p->dim();
  const VecX x1 = p->initial_point(derive_seed(1, kStart));
  const VecX x2 = p->initial_point(derive_seed(2, kStart));
  CHECK(x1.size() == d);
  CHECK(x1 == p->initial_point(derive_seed(1, kStart)));
  CHECK((x1 - x2).norm() > 0.05);
  const double rms = x1.norm() / std::sqrt(double(d));
  CHECK(rms > 0.008);
  CHECK(rms < 0.012);
  CHECK(x1.lpNorm<Eigen::Infinity>() < 0.06);
  CHECK(value(*p, x1) == Approx(0.5).margin(1e-3));
  CHECK(gradient(*p, x1).norm() < 5e-3);
  // `init` scales the same draw; init=0 starts on the saddle.
  const VecX big =
      make_problem("factorization:init=0.05", 0)->initial_point(derive_seed(1, kStart));
  CHECK((big - 5 * x1).norm() < 1e-14);
  CHECK(make_problem("factorization:init=0", 0)->initial_point(7) == VecX::Zero(d));
  // The start does not depend on the instance seed, the instance not on the run's start.
  CHECK(make_problem("factorization", 9)->initial_point(derive_seed(1, kStart)) == x1);
}

TEST_CASE("factorization: bad keys are usage errors naming the key", "[factorization]") {
  const std::pair<const char*, const char*> cases[] = {
      {"factorization:rank=33", "key 'rank'"},
      {"factorization:m=3,n=8,rank=4", "key 'rank'"},
      {"factorization:m=8,n=2,rank=3", "key 'rank'"},
      {"factorization:rank=0", "key 'rank'"},
      {"factorization:k=-1", "key 'k'"},
      {"factorization:k=1.5", "key 'k'"},
      {"factorization:m=0", "key 'm'"},
      {"factorization:n=2.5", "key 'n'"},
      {"factorization:cond=0.5", "key 'cond'"},
      {"factorization:init=-1e-3", "key 'init'"},
      {"factorization:l=2", "unknown key 'l'"},
  };
  for (const auto& [spec, message] : cases) {
    INFO(spec);
    CHECK_THAT(usage_error([&spec = spec] { make_problem(spec, 0); }), Contains(message));
  }
  CHECK_NOTHROW(make_problem("factorization:m=3,n=8,rank=3,k=9", 0));
}

TEST_CASE("factorization: Adam leaves the saddle and fits M", "[factorization]") {
  RunSettings s;
  s.budget.iters = 2000;
  s.seed = 1;
  for (const std::string spec : {"factorization", "factorization:rank=4,k=2"}) {
    INFO(spec);
    const RunResult r = descent::testing::run_spec(spec, "adam:lr=1e-2", s);
    REQUIRE(r.summary.status == Status::ok);
    const double start = r.trace.front().loss, fstar = *make_problem(spec, 1)->optimum();
    CHECK(start == Approx(0.5).margin(1e-3));
    CHECK(r.summary.final_loss - fstar < 1e-4 * (start - fstar));
  }
}
