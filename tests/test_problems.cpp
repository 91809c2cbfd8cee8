// The test problems: derivatives, values at known points, mini-batches, test metrics and the
// Newton-computed optima (the data sets themselves: test_datasets.cpp).
#include <unistd.h>

#include <Eigen/Eigenvalues>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <numeric>
#include <set>

#include "problems/classifier.hpp"
#include "problems/gradcheck.hpp"
#include "problems/logreg.hpp"
#include "problems/mlp.hpp"
#include "problems/registry.hpp"
#include "problems/softmax.hpp"
#include "tests/problem_helpers.hpp"

using namespace descent;
using namespace descent::testing;

namespace {

VecX vec(std::initializer_list<double> v) {
  VecX x(Index(v.size()));
  Index i = 0;
  for (double e : v) x[i++] = e;
  return x;
}

std::vector<Index> all_rows(Index n) {
  std::vector<Index> rows(static_cast<std::size_t>(n));
  std::iota(rows.begin(), rows.end(), Index{0});
  return rows;
}

}  // namespace

TEST_CASE("gradcheck passes on every registered problem, Hessians included", "[problems]") {
  // Small, data-friendly specs; every registered name must be covered here.
  const std::map<std::string, std::vector<std::string>> specs = {
      {"quadratic", {"quadratic:dim=6,cond=1e3,rotate=1", "quadratic:dim=3"}},
      {"noisy_quadratic", {"noisy_quadratic:dim=4,cond=100,rotate=1,noise=1"}},
      {"rosenbrock", {"rosenbrock", "rosenbrock:dim=5"}},
      {"beale", {"beale"}},
      {"saddle", {"saddle", "saddle:dim=6,neg=2", "saddle:dim=3,neg=0", "saddle:dim=2,neg=2"}},
      {"rastrigin", {"rastrigin:dim=4"}},
      {"factorization",
       {"factorization:m=6,n=5,rank=2", "factorization:m=7,n=4,rank=3,k=2,cond=100",
        "factorization:m=5,n=6,rank=2,k=4,init=0.3", "factorization"}},
      {"logreg", {"logreg", "logreg:data=moons,l2=0.1", "logreg:data=blobs,features=70,l2=0"}},
      {"softmax", {"softmax:data=blobs,features=4,points=300", "softmax:data=spiral,l2=0"}},
      {"mlp",
       {"mlp:data=spiral,hidden=8x6,act=tanh,points=150",
        "mlp:data=moons,hidden=5,act=sigmoid,init=xavier,l2=0.01,points=100",
        "mlp:data=blobs,features=3,hidden=7,act=relu,init=normal,points=100"}},
  };
  for (const auto& entry : problem_registry()) {
    INFO("problem " << entry.info.name);
    REQUIRE(specs.count(entry.info.name) == 1);
    for (const auto& spec : specs.at(entry.info.name)) {
      INFO("spec " << spec);
      const auto p = make_problem(spec, 3);
      const GradCheckResult r = gradcheck(*p, {3, 3, 1e-6});
      CHECK(r.passed);
      CHECK(r.gradient_error < 1e-6);
      CHECK(r.hessian_error.has_value() == p->has_hessian());
      if (r.hessian_error) CHECK(*r.hessian_error < 1e-6);
      CHECK(r.nonsmooth == 0);
    }
  }
}

TEST_CASE("gradcheck catches a wrong gradient and a wrong Hessian", "[problems]") {
  class Broken final : public Problem {
   public:
    explicit Broken(int bug) : bug_(bug) {}
    Index dim() const override { return 3; }
    VecX initial_point(std::uint64_t) const override { return VecX::Ones(3); }
    double loss_grad(VecIn x, VecOut g) const override {  // f = Σ x_i⁴/4
      g = x.array().cube().matrix();
      if (bug_ == 1) g[2] *= 1.0001;
      return x.array().square().square().sum() / 4;
    }
    bool has_hessian() const override { return true; }
    void hessian(VecIn x, Eigen::Ref<MatX> h) const override {
      h = (3 * x.array().square()).matrix().asDiagonal();
      if (bug_ == 2) h(0, 1) = 1e-3;  // asymmetric and wrong
    }

   private:
    int bug_;
  };
  CHECK(gradcheck(Broken(0)).passed);
  const GradCheckResult grad = gradcheck(Broken(1));
  CHECK_FALSE(grad.passed);
  CHECK(grad.gradient_error > 1e-5);
  const GradCheckResult hess = gradcheck(Broken(2));
  CHECK_FALSE(hess.passed);
  CHECK(hess.gradient_error < 1e-6);
  CHECK(*hess.hessian_error > 1e-5);
}

TEST_CASE("analytic problems have their documented values", "[problems]") {
  const auto rosen = make_problem("rosenbrock:dim=4", 0);
  CHECK(value(*rosen, VecX::Ones(4)) == 0);
  CHECK(gradient(*rosen, VecX::Ones(4)).norm() == 0);
  CHECK(value(*make_problem("rosenbrock", 0), vec({-1.2, 1})) == Approx(24.2).epsilon(1e-15));

  const auto beale = make_problem("beale", 0);
  CHECK(value(*beale, vec({3, 0.5})) == 0);
  CHECK(gradient(*beale, vec({3, 0.5})).norm() == 0);
  CHECK(value(*beale, beale->initial_point(0)) == 14.203125);
  CHECK(beale->optimum() == 0.0);

  const auto rastrigin = make_problem("rastrigin:dim=3", 0);
  CHECK(value(*rastrigin, VecX::Zero(3)) == 0);
  CHECK(value(*rastrigin, vec({1, 0, -2})) == Approx(5).epsilon(1e-12));  // x² − 10cos + 10
  const VecX s0 = rastrigin->initial_point(1), s1 = rastrigin->initial_point(2);
  CHECK(s0.cwiseAbs().maxCoeff() <= 5.12);
  CHECK((s0 - s1).norm() > 0.1);
  CHECK(s0 == rastrigin->initial_point(1));
}

TEST_CASE("saddle: stationary points, f* = −k/4, rising curvatures, the golden 2-D form",
          "[problems]") {
  const auto p = make_problem("saddle:dim=5,neg=2", 0);
  CHECK(p->optimum() == -0.5);
  for (double y0 : {-1.0, 0.0, 1.0})
    for (double y1 : {-1.0, 0.0, 1.0}) CHECK(gradient(*p, vec({0, 0, 0, y0, y1})).norm() == 0);
  CHECK(value(*p, vec({0, 0, 0, 1, -1})) == -0.5);
  CHECK(value(*p, VecX::Zero(5)) == 0);
  MatX h(5, 5);
  p->hessian(VecX::Zero(5), h);
  CHECK(h.diagonal()[0] == 1);
  CHECK(h.diagonal()[1] == Approx(std::sqrt(10.0)).epsilon(1e-15));
  CHECK(h.diagonal()[2] == 10);
  CHECK(h.diagonal()[3] == -1);  // negative curvature at the saddle
  CHECK(p->initial_point(0) == vec({1, 1, 1, 1e-3, 1e-3}));

  const auto two = make_problem("saddle", 0);  // dim=2, neg=1: x²/2 + y⁴/4 − y²/2
  CHECK(two->optimum() == -0.25);
  const VecX x = vec({0.7, -1.3});
  CHECK(value(*two, x) == Approx(0.49 / 2 + std::pow(1.3, 4) / 4 - 1.69 / 2).epsilon(1e-14));
  CHECK(usage_error([] { make_problem("saddle:dim=2,neg=3", 0); }).find("neg") !=
        std::string::npos);
}

TEST_CASE("the rotated quadratic has the documented eigenvalues", "[problems]") {
  const auto p = make_problem("quadratic:dim=5,cond=1e4,rotate=1", 7);
  MatX h(5, 5);
  p->hessian(VecX::Zero(5), h);
  CHECK(std::abs(h(0, 1)) > 1e-3);  // really rotated
  Eigen::SelfAdjointEigenSolver<MatX> eig(h);
  for (Index i = 0; i < 5; ++i)
    CHECK(eig.eigenvalues()[i] == Approx(std::pow(1e4, double(i) / 4)).epsilon(1e-10));
}

TEST_CASE("noisy_quadratic: exact loss_grad, N(0, noise²) gradient noise from the run's rng",
          "[problems]") {
  const auto p = make_problem("noisy_quadratic:dim=2,cond=10,noise=0.5", 0);
  CHECK(p->stochastic());
  CHECK(p->samples() == 0);
  const VecX x = vec({1, -2});
  const VecX exact = gradient(*p, x);
  CHECK(exact == vec({1, -20}));
  Rng rng(11), again(11);
  VecX g(2), h(2);
  CHECK(p->sample_loss_grad(x, {}, rng, g) == value(*p, x));  // the loss itself is exact
  p->sample_loss_grad(x, {}, again, h);
  CHECK(g == h);  // a pure function of the rng state
  const int n = 20000;
  Eigen::Vector2d mean = Eigen::Vector2d::Zero(), sq = Eigen::Vector2d::Zero();
  for (int i = 0; i < n; ++i) {
    p->sample_loss_grad(x, {}, rng, g);
    mean += (g - exact) / n;
    sq += (g - exact).cwiseAbs2() / n;
  }
  CHECK(mean.cwiseAbs().maxCoeff() < 0.02);
  CHECK(std::sqrt(sq[0]) == Approx(0.5).epsilon(0.03));
  CHECK(std::sqrt(sq[1]) == Approx(0.5).epsilon(0.03));
}

TEST_CASE("a data problem's loss matches a hand computation", "[problems]") {
  // Two samples, feature 0 and 2: standardized to −1 and +1; labels 0 and 1.
  const auto path = temp_file("two.csv", "f,label\n0,0\n2,1\n");
  const auto p = make_problem("logreg:l2=0.5,test_frac=0,data=" + path.string(), 0);
  CHECK(value(*p, VecX::Zero(2)) == Approx(std::log(2.0)).epsilon(1e-15));
  // w = 1, b = 0.5: z = (−0.5, 1.5); mean of log(1 + e^{−0.5}) and log(1 + e^{1.5}) − 1.5.
  const double want =
      0.5 * (std::log1p(std::exp(-0.5)) + std::log1p(std::exp(1.5)) - 1.5) + 0.25;  // l2/2·w²
  CHECK(value(*p, vec({1, 0.5})) == Approx(want).epsilon(1e-15));
  const auto soft = make_problem("softmax:l2=0,test_frac=0,data=" + path.string(), 0);
  CHECK(value(*soft, VecX::Zero(4)) == Approx(std::log(2.0)).epsilon(1e-15));
  // Softmax with 2 classes and w_1 − w_0 = w is the logistic model.
  CHECK(value(*soft, vec({0, 0, 1, 0.5})) == Approx(want - 0.25).epsilon(1e-14));
}

TEST_CASE("mini-batch gradients are means over their samples", "[problems]") {
  for (const char* spec : {"logreg", "softmax:data=spiral", "mlp:data=spiral,hidden=6x5"}) {
    INFO(spec);
    const auto p = make_problem(spec, 2);
    const Index n = p->samples(), d = p->dim();
    Rng rng(1);
    VecX x = p->initial_point(0);
    for (Index i = 0; i < d; ++i) x[i] += 0.3 * rng.normal();
    VecX full(d), batch(d), one(d), sum = VecX::Zero(d);
    const double f = p->loss_grad(x, full);
    const auto rows = all_rows(n);
    CHECK(p->loss_grad_batch(x, rows, batch) == Approx(f).epsilon(1e-12));
    CHECK((batch - full).norm() <= 1e-12 * full.norm());
    // A batch of three samples, one listed twice, against single-sample gradients.
    const std::vector<Index> some = {4, n - 1, 4};
    double fsum = 0;
    for (Index i : some) {
      fsum += p->loss_grad_batch(x, std::span<const Index>(&i, 1), one);
      sum += one;
    }
    CHECK(p->loss_grad_batch(x, some, batch) == Approx(fsum / 3).epsilon(1e-12));
    CHECK((batch - sum / 3).norm() <= 1e-12 * batch.norm());
    // The optimizer's gradient is the mini-batch one (no dropout here).
    VecX sampled(d);
    Rng noise(5);
    p->sample_loss_grad(x, some, noise, sampled);
    CHECK(sampled == batch);
  }
}

TEST_CASE("logreg f* by Newton: a stationary point below every other loss", "[problems]") {
  const auto p = make_problem("logreg", 0);
  const auto& lr = as<LogReg>(p);
  REQUIRE(lr.minimizer());
  REQUIRE(p->optimum());
  const VecX& xs = *lr.minimizer();
  CHECK(gradient(*p, xs).norm() <= 1e-8);
  CHECK(*p->optimum() == value(*p, xs));
  CHECK(*p->optimum() < std::log(2.0));
  Rng rng(3);
  for (int k = 0; k < 5; ++k) {
    VecX x = xs;
    for (Index i = 0; i < x.size(); ++i) x[i] += std::pow(10.0, -k) * rng.normal();
    CHECK(value(*p, x) - *p->optimum() >= 0);
  }
  // Test metrics are sensible after Newton.
  const auto test = p->test_metrics(xs);
  CHECK(test.accuracy >= 0.93);
  CHECK(test.accuracy <= 1);
  CHECK(test.loss > 0);
  CHECK(test.loss < 0.3);
  const auto start = p->test_metrics(VecX::Zero(p->dim()));
  CHECK(start.loss == Approx(std::log(2.0)).epsilon(1e-14));
  // l2 = 0: a minimizer need not exist (separable data), so no f*.
  CHECK_FALSE(make_problem("logreg:data=blobs,sep=30,l2=0", 0)->optimum());
  CHECK_FALSE(make_problem("logreg:l2=0", 0)->optimum());
}

TEST_CASE("softmax f* by Newton with the bias shift held out", "[problems]") {
  const auto p = make_problem("softmax:data=blobs,features=5,classes=4,l2=0.01,cond=10", 1);
  const auto& sm = as<Softmax>(p);
  REQUIRE(sm.minimizer());
  CHECK(gradient(*p, *sm.minimizer()).norm() <= 1e-8);
  CHECK(*p->optimum() < std::log(4.0));
  Rng rng(2);
  VecX x = *sm.minimizer();
  for (Index i = 0; i < x.size(); ++i) x[i] += 0.01 * rng.normal();
  CHECK(value(*p, x) > *p->optimum());
  // The loss is constant along the shift of all biases (index d of each class column).
  VecX shifted = x;
  for (Index k = 0; k < 4; ++k) shifted[k * 6 + 5] += 0.7;
  CHECK(value(*p, shifted) == Approx(value(*p, x)).epsilon(1e-14));
  CHECK_FALSE(make_problem("softmax:data=spiral,l2=0", 0)->optimum());
  const auto test = p->test_metrics(x);
  CHECK(test.accuracy > 0.5);  // 4 well-separated blobs
  CHECK(test.accuracy <= 1);
}

TEST_CASE("mlp: layout, seeded initialization, dropout only in training", "[problems]") {
  const auto p = make_problem("mlp:hidden=32x16", 4);
  CHECK(p->dim() == 65 * 32 + 33 * 16 + 17 * 10);
  CHECK_FALSE(p->optimum());
  CHECK(p->has_test_set());
  const VecX x0 = p->initial_point(0);
  CHECK(x0 == p->initial_point(99));  // from the instance seed
  CHECK(x0 == make_problem("mlp:hidden=32x16", 4)->initial_point(0));
  CHECK(x0 != make_problem("mlp:hidden=32x16", 5)->initial_point(0));
  // He: sd √(2/64) for the first layer's weights; its bias row is 0.
  const Eigen::Map<const MatX> w1(x0.data(), 65, 32);
  const double sd = std::sqrt(w1.topRows(64).squaredNorm() / (64 * 32));
  CHECK(sd == Approx(std::sqrt(2.0 / 64)).epsilon(0.05));
  CHECK(w1.row(64).isZero());

  const auto drop = make_problem("mlp:data=spiral,hidden=16,dropout=0.5", 1);
  const VecX x = drop->initial_point(0);
  const std::vector<Index> batch = {0, 5, 9, 30};
  VecX clean(drop->dim()), noisy(drop->dim()), again(drop->dim());
  const double f = drop->loss_grad_batch(x, batch, clean);
  Rng a(7), b(7);
  const double fd = drop->sample_loss_grad(x, batch, a, noisy);
  drop->sample_loss_grad(x, batch, b, again);
  CHECK(noisy == again);
  CHECK(fd != f);
  CHECK((noisy - clean).norm() > 1e-3 * clean.norm());
  // With the masks fixed (the same rng state), the dropout gradient is the derivative of the
  // dropout loss.
  class FixedMasks final : public Problem {
   public:
    FixedMasks(const Problem& p, std::vector<Index> batch) : p_(p), batch_(std::move(batch)) {}
    Index dim() const override { return p_.dim(); }
    VecX initial_point(std::uint64_t s) const override { return p_.initial_point(s); }
    double loss_grad(VecIn x, VecOut g) const override {
      Rng rng(42);
      return p_.sample_loss_grad(x, batch_, rng, g);
    }

   private:
    const Problem& p_;
    std::vector<Index> batch_;
  };
  for (const char* spec : {"mlp:data=spiral,hidden=16x8,act=tanh,dropout=0.3",
                           "mlp:data=spiral,hidden=9,act=sigmoid,dropout=0.6"}) {
    INFO(spec);
    const auto q = make_problem(spec, 1);
    const GradCheckResult r = gradcheck(FixedMasks(*q, batch));
    CHECK(r.passed);
    CHECK(r.gradient_error < 1e-6);
  }
  // loss_grad and the test metrics never drop units.
  VecX g1(drop->dim()), g2(drop->dim());
  CHECK(drop->loss_grad(x, g1) == drop->loss_grad(x, g2));
  CHECK(drop->test_metrics(x).loss == drop->test_metrics(x).loss);
}

TEST_CASE("an MLP trains on digits: test accuracy rises from chance", "[problems]") {
  const auto p = make_problem("mlp:hidden=32", 0);
  VecX x = p->initial_point(0), g(p->dim());
  const auto before = p->test_metrics(x);
  CHECK(before.accuracy < 0.3);
  for (int k = 0; k < 200; ++k) {  // plain gradient descent, full batch
    p->loss_grad(x, g);
    x -= 0.5 * g;
  }
  const auto after = p->test_metrics(x);
  CHECK(after.accuracy > 0.9);
  CHECK(after.loss < before.loss);
}
