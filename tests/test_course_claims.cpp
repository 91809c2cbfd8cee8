// The course notes' claims that a test can settle exactly (issue 23): one-sided against central
// differences, gradient checking with dropout, the window of an exponentially weighted average,
// and how Adam's bias correction changes its first steps.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "lib/optimizer_registry.hpp"
#include "problems/gradcheck.hpp"
#include "problems/registry.hpp"

using namespace descent;

TEST_CASE("central differences are O(h²), one-sided ones O(h)", "[course][gradcheck]") {
  // A smooth problem (Rosenbrock) at steps where rounding (ε f/h ≈ 1e-12) is far below both.
  const auto p = make_problem("rosenbrock:dim=4", 0);
  const std::vector<double> steps = {1e-2, 1e-3};
  const auto e = difference_errors(*p, {}, steps);
  REQUIRE(e.size() == 2);
  // Tenfold smaller h: the one-sided error ten times smaller, the central one a hundred.
  CHECK(e[0].one_sided / e[1].one_sided == Approx(10).epsilon(0.05));
  CHECK(e[0].central / e[1].central == Approx(100).epsilon(0.05));
  CHECK(e[1].central < 1e-3 * e[1].one_sided);
}

TEST_CASE("gradient checking with dropout: fresh masks fail, a fixed mask or none pass",
          "[course][gradcheck]") {
  // tanh: no kinks, so only the masks can make the differences disagree.
  const auto drop = make_problem("mlp:data=moons,hidden=5,act=tanh,dropout=0.5", 1);
  const auto none = make_problem("mlp:data=moons,hidden=5,act=tanh", 1);
  GradCheckOptions fresh, fixed;
  fresh.mask = GradCheckMask::fresh;
  fixed.mask = GradCheckMask::fixed;
  CHECK_FALSE(gradcheck(*drop, fresh).passed);
  const GradCheckResult f = gradcheck(*drop, fixed);
  CHECK(f.passed);
  CHECK(f.gradient_error < 1e-8);
  CHECK(gradcheck(*none, {}).passed);
  // With new masks at every evaluation a central difference is (f_m1 − f_m2)/(2h) + O(1): its
  // error grows as h shrinks instead of falling.
  const std::vector<double> steps = {1e-2, 1e-4};
  const auto e = difference_errors(*drop, fresh, steps);
  CHECK(e[0].central > 1);
  CHECK(e[1].central > 50 * e[0].central);
  const auto k = difference_errors(*drop, fixed, steps);
  CHECK(k[1].central < 1e-6);
  // Without dropout the training gradient is the full one: every mask mode agrees.
  const auto n = difference_errors(*none, fresh, steps);
  CHECK(n[1].central < 1e-6);
}

namespace {

// The weights w_k that momentum:variant=ewa's velocity puts on the gradient k steps back, read
// from the optimizer's own steps: one impulse g = 1 at step 1, then g = 0, at rate 1; the move
// at step k + 1 is v = w_k.
std::vector<double> ewa_weights(double beta, int steps) {
  auto opt = make_optimizer<double>(
      parse_optimizer("momentum:variant=ewa,lr=1,momentum=" + std::to_string(beta)), 1);
  VecX x = VecX::Zero(1), g = VecX::Ones(1);
  std::vector<double> w;
  for (int t = 0; t < steps; ++t) {
    const double before = x[0];
    opt->step(x, g);
    w.push_back(before - x[0]);
    g.setZero();
  }
  return w;
}

}  // namespace

TEST_CASE("an EWA with β averages over about 1/(1 − β) steps", "[course][ewa]") {
  for (double beta : {0.9, 0.98, 0.99, 0.999}) {
    INFO("beta " << beta);
    const int window = int(std::lround(1 / (1 - beta)));
    const auto w = ewa_weights(beta, 40 * window);
    double total = 0, age = 0, last = 0;
    for (std::size_t k = 0; k < w.size(); ++k) {
      total += w[k];
      age += double(k + 1) * w[k];  // the current gradient has age 1
      if (int(k) < window) last += w[k];
    }
    CHECK(total == Approx(1).epsilon(1e-12));  // an average: the weights sum to 1
    // Two definitions of the window: the mean age of the weights is exactly 1/(1 − β); the
    // newest 1/(1 − β) gradients carry 1 − β^{1/(1−β)} of the weight, ≈ 1 − 1/e = 63 %.
    CHECK(age == Approx(1 / (1 - beta)).epsilon(1e-9));
    CHECK(last == Approx(1 - std::pow(beta, window)).epsilon(1e-9));
    CHECK(last == Approx(1 - std::exp(-1)).margin(0.02));
  }
}

TEST_CASE("Adam's first steps with and without bias correction, at a constant gradient",
          "[course][bias]") {
  // g = 1 every step: corrected Adam steps by α exactly (m̂ = v̂ = 1, ε aside); uncorrected by
  // α (1 − β1^t)/√(1 − β2^t): larger, not smaller, because the second moment's bias is the
  // stronger one under the root, and it fades only over thousands of steps at β2 = 0.999.
  auto with = make_optimizer<double>(parse_optimizer("adam:lr=1,eps=1e-300"), 1);
  auto without =
      make_optimizer<double>(parse_optimizer("adam:lr=1,eps=1e-300,bias_correction=0"), 1);
  VecX a = VecX::Zero(1), b = VecX::Zero(1);
  const VecX g = VecX::Ones(1);
  for (int t = 1; t <= 5000; ++t) {
    const double a0 = a[0], b0 = b[0];
    with->step(a, g);
    without->step(b, g);
    const double ratio = (b0 - b[0]) / (a0 - a[0]);
    CHECK(a0 - a[0] == Approx(1).epsilon(1e-12));
    CHECK(ratio ==
          Approx((1 - std::pow(0.9, t)) / std::sqrt(1 - std::pow(0.999, t))).epsilon(1e-10));
    if (t == 1) CHECK(ratio == Approx(std::sqrt(10)).epsilon(1e-10));  // 0.1/√0.001
  }
}
