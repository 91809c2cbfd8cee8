// Line-search and second-order methods (lbfgs, cg, newton) through the run loop and its oracle.
#include <catch2/catch.hpp>
#include <cmath>
#include <optional>

#include "lib/optimizer_registry.hpp"
#include "lib/run.hpp"
#include "problems/registry.hpp"
#include "tests/run_spec.hpp"

using namespace descent;
using descent::testing::run_spec;

namespace {

RunSettings iters(Index n, std::optional<VecX> x0 = std::nullopt) {
  RunSettings s;
  s.budget.iters = n;
  s.x0 = std::move(x0);
  return s;
}

// The first logged point with |∇f| ≤ tol.
std::optional<TracePoint> first_below(const RunResult& r, double tol) {
  for (const auto& tp : r.trace)
    if (tp.grad_norm <= tol) return tp;
  return std::nullopt;
}

std::string usage_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("lbfgs on 2-D Rosenbrock: |g| <= 1e-8 within SciPy's counts + 15%", "[second_order]") {
  const RunResult r = run_spec("rosenbrock", "lbfgs", iters(200));
  const auto hit = first_below(r, 1e-8);
  REQUIRE(hit);
  WARN("lbfgs rosenbrock 2-D: iters " << hit->iter << ", grad_evals " << hit->grad_evals);
  CHECK(hit->iter <= 45);
  CHECK(hit->grad_evals <= 55);
  CHECK(hit->loss < 1e-15);
}

TEST_CASE("lbfgs on 100-D Rosenbrock within 1.2x SciPy's 643 evaluations", "[second_order]") {
  // From the default start (−1.2, 1, −1.2, 1, ...): the global minimizer (1, ..., 1).
  const RunResult r = run_spec("rosenbrock:dim=100", "lbfgs", iters(2000));
  const auto hit = first_below(r, 1e-8);
  REQUIRE(hit);
  WARN("lbfgs rosenbrock 100-D, default start: iters " << hit->iter << ", grad_evals "
                                                       << hit->grad_evals);
  CHECK(hit->grad_evals <= 771);
  CHECK(hit->loss < 1e-12);
}

TEST_CASE("lbfgs on 100-D Rosenbrock from (-1.2, 1, ..., 1) finds the local minimum near 3.99",
          "[second_order]") {
  // This start leads to the chained form's local minimizer near (−1, 1, ..., 1), f ≈ 3.98662,
  // where f's rounding (≈ 1e-15) stops the line search at |∇f| ≈ 2e-7, above 1e-8.
  VecX x0 = VecX::Ones(100);
  x0[0] = -1.2;
  const RunResult r = run_spec("rosenbrock:dim=100", "lbfgs", iters(100, x0));
  const auto hit = first_below(r, 1e-6);
  REQUIRE(hit);
  WARN("lbfgs rosenbrock 100-D from (-1.2, 1, ..., 1): |g| <= 1e-6 at iters "
       << hit->iter << ", grad_evals " << hit->grad_evals);
  CHECK(hit->grad_evals <= 60);
  CHECK(hit->loss == Approx(3.9866238543).epsilon(1e-10));
  CHECK(r.x[0] == Approx(-0.99326).epsilon(1e-4));
}

TEST_CASE("newton: one step to the optimum of a rotated quadratic", "[second_order]") {
  const RunResult r = run_spec("quadratic:dim=20,cond=1e6,rotate=1", "newton", iters(1));
  REQUIRE(r.trace.size() == 2);
  CHECK(r.trace[0].loss > 1);
  CHECK(r.trace[1].loss < 1e-20);
  CHECK(r.x.norm() < 1e-9);
  CHECK(r.trace[1].grad_evals == 2);  // x_0, and the accepted trial α = 1 (not paid again)
  CHECK(r.summary.hess_evals == 1);
}

TEST_CASE("newton on logreg: gap <= 1e-12 in <= 10 steps, quadratically", "[second_order]") {
  const RunResult r = run_spec("logreg:data=breast_cancer,l2=1e-3", "newton", iters(12));
  const auto p = make_problem("logreg:data=breast_cancer,l2=1e-3", 0);
  const double fstar = *p->optimum();
  std::vector<double> gap;
  for (const auto& tp : r.trace) gap.push_back(tp.loss - fstar);
  REQUIRE(gap.size() == 13);
  Index reached = -1;
  for (std::size_t k = 0; k < gap.size(); ++k)
    if (reached < 0 && gap[k] <= 1e-12) reached = Index(k);
  std::string digits;
  for (double v : gap) digits += std::to_string(v) + " ";
  INFO("gaps: " << digits);
  WARN("newton logreg: gap <= 1e-12 at step " << reached);
  REQUIRE(reached > 0);
  CHECK(reached <= 10);
  // Quadratic convergence, seen in the gradient (the gap's rounding hides it at the end):
  // |g_{k+1}| ≤ C |g_k|² with C = 100 for the last three steps before the gap reaches 1e-12
  // (measured C ≈ 45; a linear rate would need C ≈ 1/|g_k|, above 1e5 there).
  for (Index k = reached - 3; k < reached; ++k) {
    const double gk = r.trace[k].grad_norm, next = r.trace[k + 1].grad_norm;
    INFO("step " << k << ": |g| " << gk << " -> " << next);
    CHECK(gk < 1e-2);
    CHECK(next <= 100 * gk * gk);
  }
  // And the line search accepts the unit step at every step from the start (one evaluation each).
  CHECK(r.trace[reached].grad_evals == reached + 1);
  // Below the rounding of f the steps go on: the gradient keeps falling.
  CHECK(r.trace.back().grad_norm < 1e-13);
}

TEST_CASE("newton on 2-D Rosenbrock converges in few steps", "[second_order]") {
  const RunResult r = run_spec("rosenbrock", "newton", iters(40));
  const auto hit = first_below(r, 1e-8);
  REQUIRE(hit);
  WARN("newton rosenbrock 2-D: |g| <= 1e-8 at iters " << hit->iter << ", grad_evals "
                                                      << hit->grad_evals);
  CHECK(hit->iter <= 25);
  CHECK(hit->loss < 1e-15);
}

TEST_CASE("newton and lbfgs escape the saddle; pure newton converges to it", "[second_order]") {
  VecX x0(2);
  x0 << 0.5, 1e-3;
  for (const std::string opt : {"newton", "newton:modify=abs", "lbfgs", "cg"}) {
    INFO(opt);
    const RunResult r = run_spec("saddle", opt, iters(100, x0));
    CHECK(r.summary.final_loss == Approx(-0.25).epsilon(1e-10));
    CHECK(std::abs(r.x[1]) == Approx(1).epsilon(1e-6));
    CHECK(std::abs(r.x[0]) < 1e-6);
  }
  const RunResult pure = run_spec("saddle", "newton:modify=none", iters(30, x0));
  CHECK(std::abs(pure.summary.final_loss) < 1e-12);
  CHECK(pure.x.norm() < 1e-6);
}

TEST_CASE("cg (PR+) on 2-D Rosenbrock and a rotated quadratic", "[second_order]") {
  const RunResult r = run_spec("rosenbrock", "cg", iters(300));
  const auto hit = first_below(r, 1e-8);
  REQUIRE(hit);
  WARN("cg rosenbrock 2-D: |g| <= 1e-8 at iters " << hit->iter << ", grad_evals "
                                                  << hit->grad_evals);
  CHECK(hit->iter <= 60);
  CHECK(hit->loss < 1e-15);
  // On a quadratic, CG with near-exact line searches (c2 = 1e-3) ends in about n steps;
  // steepest descent needs hundreds at cond = 1e3.
  const RunResult q = run_spec("quadratic:dim=5,cond=1e3,rotate=1", "cg:c2=1e-3", iters(50));
  const auto qhit = first_below(q, 1e-8);
  REQUIRE(qhit);
  WARN("cg:c2=1e-3 quadratic dim 5, cond 1e3: |g| <= 1e-8 at iters " << qhit->iter);
  CHECK(qhit->iter <= 10);
}

TEST_CASE("line-search methods are double only; bad keys name the key", "[second_order]") {
  for (const char* name : {"newton", "lbfgs", "cg"}) {
    INFO(name);
    const std::string msg = usage_error([&] { make_optimizer<float>(parse_optimizer(name), 2); });
    CHECK(msg == std::string("dtype float32 with optimizer '") + name +
                     "': it works in double precision only (line-search, second-order and "
                     "Python optimizers have no float path)");
    CHECK(make_optimizer<double>(parse_optimizer(name), 2)->uses_oracle());
  }
  const std::pair<const char*, const char*> bad[] = {
      {"lbfgs:history=0", "history"},
      {"newton:damping=-1", "damping"},
      {"newton:modify=flip", "modify"},
      {"lbfgs:c2=1", "c2"},
      {"lbfgs:c1=0.5,c2=0.4", "c1"},
      {"cg:c1=0.2", "c1"},
      {"cg:restart=-1", "restart"},
      {"newton:max_evals=0", "max_evals"},
      {"lbfgs:curvature_eps=-1", "curvature_eps"},
  };
  for (const auto& [spec, key] : bad) {
    INFO(spec);
    const std::string msg =
        usage_error([&spec = spec] { make_optimizer<double>(parse_optimizer(spec), 2); });
    CHECK_THAT(msg, Catch::Contains("key '" + std::string(key) + "'"));
  }
  // No Hessian: a usage error when the run starts.
  const std::string msg = usage_error([] { run_spec("mlp", "newton", iters(1)); });
  CHECK_THAT(msg, Catch::Contains("Hessian"));
}

TEST_CASE("newton, lbfgs, cg: reset makes a second run identical", "[second_order]") {
  for (const char* spec : {"newton", "lbfgs:history=3", "cg"}) {
    INFO(spec);
    const auto p = make_problem("rosenbrock", 0);
    auto o = make_optimizer<double>(parse_optimizer(spec), 2);
    const RunSettings s = iters(15);
    const RunResult a = run(*p, *o, Schedule::parse("constant"), s);
    const RunResult b = run(*p, *o, Schedule::parse("constant"), s);  // run() calls reset()
    REQUIRE(a.trace.size() == b.trace.size());
    for (std::size_t k = 0; k < a.trace.size(); ++k) {
      CHECK(a.trace[k].loss == b.trace[k].loss);
      CHECK(a.trace[k].grad_evals == b.trace[k].grad_evals);
    }
    CHECK(a.trace.back().loss < 0.5 * a.trace.front().loss);
  }
}

TEST_CASE("the schedule's factor scales the first trial step", "[second_order]") {
  // newton on a quadratic takes α = 1 unscaled (to 0); a factor of 0.5 goes half way.
  const RunResult r = run_spec("quadratic:dim=4,cond=10", "newton", iters(1),
                               "constant:warmup=2");      // factor (k + 1)/2: 0.5 at step 0
  CHECK(r.x.norm() == Approx(0.5 * 2.0).epsilon(1e-12));  // x_0 = (1, 1, 1, 1)
}

TEST_CASE("lbfgs on mini-batches runs and its losses stay finite", "[second_order]") {
  RunSettings s;
  s.budget.epochs = 3;
  s.batch = 32;
  const RunResult r = run_spec("logreg:data=breast_cancer,l2=1e-3", "lbfgs", s);
  CHECK(r.summary.status == Status::ok);
  CHECK(std::isfinite(r.summary.final_loss));
  CHECK(r.summary.final_loss < 0.5 * r.trace.front().loss);  // it does make progress
  CHECK(r.summary.grad_evals > r.summary.iters);             // line-search evaluations count
  WARN("lbfgs logreg batch 32, 3 epochs: final gap "
       << r.summary.final_loss - *make_problem("logreg:data=breast_cancer,l2=1e-3", 0)->optimum()
       << ", grad_evals " << r.summary.grad_evals << ", steps " << r.summary.iters);
}
