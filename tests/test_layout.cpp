// Parameter blocks (lib/problem.hpp Layout): `shape=RxC` on the analytic problems, and the
// classifiers' weight matrices and biases where the models keep them.
#include <catch2/catch.hpp>
#include <cmath>

#include "problems/registry.hpp"
#include "tests/problem_helpers.hpp"

using namespace descent;
using namespace descent::testing;
using Catch::Matchers::Contains;

namespace {

const Block& block(const Layout& layout, const std::string& name) {
  const auto it =
      std::find_if(layout.begin(), layout.end(), [&](const Block& b) { return b.name == name; });
  REQUIRE(it != layout.end());
  return *it;
}

// Entry (i, j) of a block inside the flat vector.
double& at(VecX& x, const Block& b, Index i, Index j = 0) { return x[b.offset + i * b.stride + j]; }

}  // namespace

TEST_CASE("shape=RxC views an analytic problem as one matrix and changes nothing else",
          "[layout]") {
  for (const std::string spec : {"quadratic:dim=12,cond=100", "noisy_quadratic:dim=12",
                                 "rosenbrock:dim=12", "saddle:dim=12,neg=2", "rastrigin:dim=12"}) {
    INFO(spec);
    const auto flat = make_problem(spec, 1);
    const auto shaped = make_problem(spec + ",shape=3x4", 1);
    const Layout layout = shaped->layout();
    REQUIRE(layout.size() == 1);
    CHECK(layout[0].matrix);
    CHECK((layout[0].rows == 3 && layout[0].cols == 4 && layout[0].stride == 4));
    CHECK_FALSE(has_matrix(flat->layout()));
    const VecX x = flat->initial_point(2);
    CHECK(shaped->initial_point(2) == x);
    VecX g1(12), g2(12);
    CHECK(flat->loss_grad(x, g1) == shaped->loss_grad(x, g2));
    CHECK(g1 == g2);
  }
  CHECK(make_problem("beale:shape=1x2", 0)->layout()[0].cols == 2);
  CHECK_THROWS_WITH(make_problem("rosenbrock:dim=12,shape=3x5", 0),
                    Contains("shape=3x5 does not match its dimension 12"));
  CHECK_THROWS_WITH(make_problem("rosenbrock:dim=12,shape=3xq", 0), Contains("key 'shape'"));
  CHECK_THROWS_WITH(make_problem("rosenbrock:dim=12,shape=0x12", 0), Contains("key 'shape'"));
  CHECK_THROWS_WITH(make_problem("rosenbrock:dim=12,shape=12", 0), Contains("key 'shape'"));
}

TEST_CASE("the MLP's blocks are its layers' weight matrices and biases", "[layout]") {
  const auto p = make_problem("mlp:data=moons,hidden=8,l2=0", 3);
  const Layout layout = p->layout();
  CHECK(describe(layout) == "W1 8×2, b1 8, W2 2×8, b2 2");
  Index total = 0;
  for (const Block& b : layout) total += b.size();
  CHECK(total == p->dim());
  // ReLU is positively homogeneous: scaling hidden unit i's incoming weights and bias by c and
  // its outgoing weights by 1/c leaves every output, and so the loss, unchanged. Only the right
  // blocks make that true: W1's row i, b1's entry i and W2's column i.
  const VecX x0 = p->initial_point(0);
  const Block &w1 = block(layout, "W1"), &b1 = block(layout, "b1"), &w2 = block(layout, "W2");
  VecX x = x0;
  x += VecX::Constant(x.size(), 0.05);  // nonzero biases too
  const double before = value(*p, x);
  const Index unit = 5;
  const double c = 2.5;
  VecX scaled = x;
  for (Index j = 0; j < w1.cols; ++j) at(scaled, w1, unit, j) *= c;
  at(scaled, b1, unit) *= c;
  for (Index r = 0; r < w2.rows; ++r) at(scaled, w2, r, unit) /= c;
  CHECK(value(*p, scaled) == Approx(before).epsilon(1e-13));
  // Scaling the unit's incoming side alone changes the loss.
  VecX half = x;
  for (Index j = 0; j < w1.cols; ++j) at(half, w1, unit, j) *= c;
  at(half, b1, unit) *= c;
  CHECK(std::abs(value(*p, half) - before) > 1e-6);
}

TEST_CASE("softmax's blocks are its class weights and biases", "[layout]") {
  const auto p = make_problem("softmax:data=blobs,classes=3,features=4,l2=0", 1);
  const Layout layout = p->layout();
  CHECK(describe(layout) == "W 3×4, b 3");
  // The probabilities and the one-hot labels both sum to 1 over the classes, so without a penalty
  // the gradient summed over the classes vanishes: for the biases, and for each feature's
  // column of W (the same sum across a class's row does not).
  const Block &w = block(layout, "W"), &b = block(layout, "b");
  VecX x = VecX::LinSpaced(p->dim(), -0.3, 0.4), g(p->dim());
  p->loss_grad(x, g);
  double bias_sum = 0;
  for (Index k = 0; k < b.rows; ++k) bias_sum += at(g, b, k);
  CHECK(std::abs(bias_sum) < 1e-15);
  for (Index j = 0; j < w.cols; ++j) {
    double column = 0;
    for (Index k = 0; k < w.rows; ++k) column += at(g, w, k, j);
    CHECK(std::abs(column) < 1e-14);
  }
  double row = 0;
  for (Index j = 0; j < w.cols; ++j) row += at(g, w, 0, j);
  CHECK(std::abs(row) > 1e-6);
}
