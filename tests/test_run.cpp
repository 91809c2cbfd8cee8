#include <Eigen/Eigenvalues>
#include <catch2/catch.hpp>

#include "lib/optimizer_registry.hpp"
#include "lib/run.hpp"
#include "problems/registry.hpp"
#include "tests/run_spec.hpp"

using namespace descent;
using descent::testing::run_spec;

TEST_CASE("the trace holds the start point and every logged step", "[run]") {
  RunSettings s;
  s.budget.iters = 10;
  const RunResult r = run_spec("rosenbrock", "sgd:lr=1e-3", s);
  REQUIRE(r.trace.size() == 11);
  CHECK(r.trace.front().iter == 0);
  CHECK(r.trace.front().loss == Approx(24.2).epsilon(1e-14));  // f(-1.2, 1)
  CHECK(r.trace.front().grad_norm == Approx(std::hypot(-215.6, -88.0)).epsilon(1e-14));
  for (std::size_t k = 0; k < r.trace.size(); ++k) {
    CHECK(r.trace[k].iter == Index(k));
    CHECK(r.trace[k].grad_evals == Index(k));
    CHECK(r.trace[k].epoch == double(k));
  }
  CHECK(r.summary.iters == 10);
  CHECK(r.summary.final_loss == r.trace.back().loss);
  CHECK(r.summary.best_loss <= r.trace.front().loss);
}

TEST_CASE("log-every keeps every k-th step and always the last", "[run]") {
  RunSettings s;
  s.budget.iters = 10;
  s.log.every = 4;
  const RunResult r = run_spec("quadratic:dim=3", "sgd:lr=0.01", s);
  std::vector<Index> iters;
  for (const auto& p : r.trace) iters.push_back(p.iter);
  CHECK(iters == std::vector<Index>{0, 4, 8, 10});
}

TEST_CASE("log-spaced logging points cover first and last step", "[run]") {
  RunSettings s;
  s.budget.iters = 1000;
  s.log.points = 4;
  const RunResult r = run_spec("quadratic:dim=3", "sgd:lr=0.01", s);
  std::vector<Index> iters;
  for (const auto& p : r.trace) iters.push_back(p.iter);
  CHECK(iters == std::vector<Index>{0, 1, 10, 100, 1000});
}

TEST_CASE("gradient descent on a quadratic contracts each coordinate exactly", "[run]") {
  // x_k,i = (1 − η λ_i)^k on f = ½ Σ λ_i x_i², so the loss after k steps is known exactly.
  RunSettings s;
  s.budget.iters = 20;
  const RunResult r = run_spec("quadratic:dim=2,cond=10", "sgd:lr=0.1", s);
  const double expected = 0.5 * (std::pow(0.9, 40) + 10 * std::pow(0.0, 40));
  CHECK(r.summary.final_loss == Approx(expected).epsilon(1e-12));
}

TEST_CASE("a diverging run stops with status diverged", "[run]") {
  RunSettings s;
  s.budget.iters = 5000;
  const RunResult r = run_spec("quadratic:dim=2,cond=10", "sgd:lr=1", s);  // η λ = 10 > 2
  CHECK(r.summary.status == Status::diverged);
  CHECK(r.summary.iters < 5000);
  s.diverge_factor = 100;
  const RunResult early = run_spec("quadratic:dim=2,cond=10", "sgd:lr=1", s);
  CHECK(early.summary.status == Status::diverged);
  CHECK(early.summary.iters == 2);  // (1 − 10)^(2k)·5 > 100·5.5 first at k = 2
}

TEST_CASE("a rotated quadratic is a pure function of its seed", "[run]") {
  const auto a = make_problem("quadratic:dim=5,cond=100,rotate=1", 7);
  const auto b = make_problem("quadratic:dim=5,cond=100,rotate=1", 7);
  const auto c = make_problem("quadratic:dim=5,cond=100,rotate=1", 8);
  const VecX x = VecX::LinSpaced(5, -1, 1);
  CHECK(a->loss(x) == b->loss(x));
  CHECK(a->loss(x) != c->loss(x));
  MatX h(5, 5);
  a->hessian(x, h);
  Eigen::SelfAdjointEigenSolver<MatX> eig(h);
  CHECK(eig.eigenvalues()[0] == Approx(1.0).epsilon(1e-10));
  CHECK(eig.eigenvalues()[4] == Approx(100.0).epsilon(1e-10));
}

TEST_CASE("the schedule scales the step", "[run]") {
  RunSettings s;
  s.budget.iters = 3;
  // Steps 0, 1, 2 at rates 0.1, 0.05, 0.025 on f = ½ x² (dim 1): x = 0.9 · 0.95 · 0.975.
  const RunResult r = run_spec("quadratic:dim=1", "sgd:lr=0.1", s, "exp:gamma=0.5");
  CHECK(r.x[0] == Approx(0.9 * 0.95 * 0.975).epsilon(1e-15));
}

TEST_CASE("clip and weight_decay transform the gradient before any optimizer", "[run]") {
  auto sgd = make_optimizer<double>(parse_optimizer("sgd:lr=1,clip=1,weight_decay=0.5"), 2);
  VecX x(2), g(2);
  x << 1, 2;
  g << 3, 4;  // |g| = 5, clipped to (0.6, 0.8), then + 0.5 x
  sgd->step(x, g);
  CHECK(x[0] == Approx(1 - 0.6 - 0.5));
  CHECK(x[1] == Approx(2 - 0.8 - 1.0));
}

TEST_CASE("float and double optimizers take the same steps to float precision", "[run]") {
  auto d = make_optimizer<double>(parse_optimizer("adam:lr=0.1"), 3);
  auto f = make_optimizer<float>(parse_optimizer("adam:lr=0.1"), 3);
  Eigen::VectorXd xd = Eigen::VectorXd::Ones(3);
  Eigen::VectorXf xf = Eigen::VectorXf::Ones(3);
  for (int k = 0; k < 10; ++k) {
    Eigen::VectorXd gd = xd.cwiseProduct(Eigen::Vector3d(1, 10, 100));
    Eigen::VectorXf gf = gd.cast<float>();
    d->step(xd, gd);
    f->step(xf, gf);
  }
  CHECK((xd.cast<float>() - xf).norm() < 1e-4f);
  CHECK(xd[0] == Approx(0.0).margin(2.0));  // moved
  CHECK(xd[0] != 1.0);
}

TEST_CASE("the target is met at the first step whose gap is small enough", "[run]") {
  // f = ½ x² from x = 1 with step η: x_k = (1 − η)^k, gap_k = ½ (1 − η)^(2k).
  RunSettings s;
  s.budget.iters = 100;
  s.target = Target{Target::Kind::gap, 1e-6};
  const RunResult r = run_spec("quadratic:dim=1", "sgd:lr=0.1", s);
  const auto expected = Index(std::ceil(std::log(2e-6) / (2 * std::log(0.9))));
  REQUIRE(r.summary.iters_to_target);
  CHECK(*r.summary.iters_to_target == expected);
  CHECK(*r.summary.evals_to_target == expected);
  s.target = Target{Target::Kind::rel_gap, 0.01};  // gap_k / gap_0 = 0.81^k <= 0.01
  CHECK(*run_spec("quadratic:dim=1", "sgd:lr=0.1", s).summary.iters_to_target ==
        Index(std::ceil(std::log(0.01) / std::log(0.81))));
  s.target = Target{Target::Kind::loss, -1};
  CHECK_FALSE(run_spec("quadratic:dim=1", "sgd:lr=0.1", s).summary.iters_to_target);
}

TEST_CASE("a grad_evals budget stops after that many evaluations", "[run]") {
  RunSettings s;
  s.budget.grad_evals = 17;
  const RunResult r = run_spec("rosenbrock", "adam", s);
  CHECK(r.summary.grad_evals == 17);
  CHECK(r.summary.iters == 17);
}

// Between logging points a deterministic run takes a shorter path through the run loop; what it
// computes must not depend on where the logging points fall.
TEST_CASE("a run's summary and iterate do not depend on its logging points", "[run]") {
  struct Case {
    const char *problem, *optimizer, *schedule;
    RunSettings settings;
  };
  RunSettings target, diverging, evals, scheduled;
  target.budget.iters = 400;
  target.target = Target{Target::Kind::gap, 1e-6};  // met between logging points
  diverging.budget.iters = 400;
  diverging.diverge_factor = 1e3;  // first exceeded between logging points
  evals.budget.grad_evals = 77;
  scheduled.budget.iters = 300;
  const Case cases[] = {
      {"quadratic:dim=1", "sgd:lr=0.1", "constant", target},
      {"quadratic:dim=2,cond=10", "sgd:lr=0.25", "constant", diverging},
      {"rosenbrock", "adam:lr=0.01", "constant", evals},
      {"rosenbrock", "adam:lr=0.01", "cosine:steps=300", scheduled},
  };
  for (const Case& c : cases) {
    CAPTURE(c.problem, c.optimizer);
    RunSettings every = c.settings, sparse = c.settings;
    every.log.every = 1;
    sparse.log.points = 3;
    const RunResult a = run_spec(c.problem, c.optimizer, every, c.schedule);
    const RunResult b = run_spec(c.problem, c.optimizer, sparse, c.schedule);
    CHECK(a.summary.status == b.summary.status);
    CHECK(a.summary.iters == b.summary.iters);
    CHECK(a.summary.grad_evals == b.summary.grad_evals);
    CHECK(a.summary.final_loss == b.summary.final_loss);
    CHECK(a.summary.best_loss == b.summary.best_loss);
    CHECK(a.summary.iters_to_target == b.summary.iters_to_target);
    CHECK(a.summary.evals_to_target == b.summary.evals_to_target);
    CHECK(a.x == b.x);
    CHECK(a.trace.back().iter == b.trace.back().iter);
    CHECK(b.trace.size() < a.trace.size());
  }
  // The cases do reach what they are there for.
  CHECK(run_spec("quadratic:dim=1", "sgd:lr=0.1", target).summary.iters_to_target ==
        63);  // as above
  CHECK(run_spec("quadratic:dim=2,cond=10", "sgd:lr=0.25", diverging).summary.status ==
        Status::diverged);
}

namespace {

// The iterates and evaluation points of `steps` full-gradient steps, outside the run loop.
struct Replay {
  std::vector<VecX> params, evals;
};
Replay replay_steps(const Problem& p, const std::string& optimizer, int steps) {
  auto o = make_optimizer<double>(parse_optimizer(optimizer), p.layout());
  VecX x = p.initial_point(0), g(p.dim()), e(p.dim());
  Replay r;
  for (int k = 0;; ++k) {
    o->eval_point(x, e);
    r.params.push_back(x);
    r.evals.push_back(e);
    if (k == steps) return r;
    p.loss_grad(x, g);
    o->step(x, g);
  }
}

}  // namespace

TEST_CASE("eval_loss is the loss for optimizers judged at their iterate", "[run][eval]") {
  RunSettings s;
  s.budget.iters = 20;
  for (const char* opt : {"sgd:lr=1e-3", "adam:lr=0.01", "lbfgs"}) {
    INFO(opt);
    const RunResult r = run_spec("rosenbrock", opt, s);
    for (const auto& tp : r.trace) CHECK(tp.eval_loss == tp.loss);
    CHECK_FALSE(make_optimizer<double>(parse_optimizer(opt), 2)->has_eval_point());
  }
}

TEST_CASE("schedule-free and ASGD runs are judged at their evaluation point", "[run][eval]") {
  const auto p = make_problem("quadratic:dim=4,cond=100", 0);
  for (const char* opt : {"sfsgd:lr=0.005", "sfadamw:lr=0.05", "asgd:lr=0.01,t0=5"}) {
    INFO(opt);
    CHECK(make_optimizer<double>(parse_optimizer(opt), 4)->has_eval_point());
    CHECK_FALSE(find_optimizer(parse_spec(opt).name).info.eval_point.empty());
    RunSettings s;
    s.budget.iters = 40;
    const RunResult r = run_spec("quadratic:dim=4,cond=100", opt, s);
    const Replay want = replay_steps(*p, opt, 40);
    REQUIRE(r.trace.size() == 41);
    bool differs = false;
    for (std::size_t k = 0; k < r.trace.size(); ++k) {
      CHECK(r.trace[k].loss == p->loss(want.params[k]));
      CHECK(r.trace[k].eval_loss == p->loss(want.evals[k]));
      differs |= r.trace[k].eval_loss != r.trace[k].loss;
    }
    CHECK(r.trace[0].eval_loss == r.trace[0].loss);  // before the first step: the start point
    CHECK(differs);
    CHECK(r.summary.final_loss == r.trace.back().eval_loss);
    double best = INFINITY;
    for (const auto& tp : r.trace) best = std::min(best, tp.eval_loss);
    CHECK(r.summary.best_loss == best);
  }
}

TEST_CASE("a target on an evaluation point is checked at every step", "[run][eval]") {
  // With sparse logging the run loop still measures x at every step once a target is set, so
  // the step that reaches it is the one an every-step trace shows.
  RunSettings every;
  every.budget.iters = 300;
  every.target = Target{Target::Kind::gap, 1e-3};
  RunSettings sparse = every;
  sparse.log.every = 97;
  const RunResult a = run_spec("quadratic:dim=4,cond=100", "sfadamw:lr=0.05", every);
  const RunResult b = run_spec("quadratic:dim=4,cond=100", "sfadamw:lr=0.05", sparse);
  REQUIRE(a.summary.iters_to_target);
  Index first = -1;
  for (const auto& tp : a.trace)
    if (first < 0 && tp.eval_loss <= 1e-3) first = tp.iter;
  CHECK(*a.summary.iters_to_target == first);
  CHECK(b.summary.iters_to_target == a.summary.iters_to_target);
  CHECK(b.summary.final_loss == a.summary.final_loss);
  CHECK(b.trace.size() < 10);
  // The iterate y reaches the level at another step than x.
  Index first_y = -1;
  for (const auto& tp : a.trace)
    if (first_y < 0 && tp.loss <= 1e-3) first_y = tp.iter;
  CHECK(first_y != first);
}

TEST_CASE("test metrics are measured at the evaluation point", "[run][eval]") {
  const std::string problem = "logreg:data=breast_cancer,l2=1e-3";
  const auto p = make_problem(problem, 0);
  RunSettings s;
  s.budget.iters = 30;
  s.batch = 0;  // full batch: the replay sees the same gradients
  const RunResult r = run_spec(problem, "sfadamw:lr=0.05", s);
  const Replay want = replay_steps(*p, "sfadamw:lr=0.05", 30);
  const auto at_x = p->test_metrics(want.evals.back());
  const auto at_y = p->test_metrics(want.params.back());
  CHECK(r.summary.final_test_loss == at_x.loss);
  CHECK(r.summary.final_test_loss != at_y.loss);
}

TEST_CASE("an optimizer has an evaluation point exactly when its info names one", "[run][eval]") {
  for (const auto& e : optimizer_registry()) {
    if (e.info.blocks == BlockUse::matrix) continue;  // no evaluation point among them
    INFO(e.info.name);
    std::string spec = e.info.name;
    if (e.info.name == "adafactor") spec += ":lr=0.1";
    const auto o = make_optimizer<double>(parse_optimizer(spec), 3);
    CHECK(o->has_eval_point() == !e.info.eval_point.empty());
  }
}

TEST_CASE("an evaluation point on the lean path: sparse logging and a gradient budget",
          "[run][eval]") {
  // Without a target the steps between logging points take the lean path, and x is measured
  // only at logging points: the logged values must be those of an every-step trace.
  RunSettings every;
  every.budget.iters = 200;
  RunSettings sparse = every;
  sparse.log.every = 37;
  const RunResult a = run_spec("rosenbrock", "sfadamw:lr=0.01", every);
  const RunResult b = run_spec("rosenbrock", "sfadamw:lr=0.01", sparse);
  REQUIRE(b.trace.size() == 7);  // 0, 37, ..., 185, 200
  for (const auto& tp : b.trace) {
    CHECK(tp.loss == a.trace[std::size_t(tp.iter)].loss);
    CHECK(tp.eval_loss == a.trace[std::size_t(tp.iter)].eval_loss);
  }
  CHECK(b.summary.final_loss == a.summary.final_loss);
  CHECK(b.summary.best_loss >= a.summary.best_loss);  // fewer points measured
  // A gradient budget ends the lean stretch mid-way: the run stops at it, judged at x there.
  RunSettings evals;
  evals.budget.grad_evals = 123;
  evals.log.every = 50;
  const RunResult c = run_spec("rosenbrock", "sfadamw:lr=0.01", evals);
  CHECK(c.summary.iters == 123);
  CHECK(c.trace.back().iter == 123);
  CHECK(c.summary.final_loss == a.trace[123].eval_loss);
}
