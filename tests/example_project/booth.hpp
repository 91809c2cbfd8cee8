// Booth's function, a 2-D convex quadratic (Jamil & Yang 2013, benchmark function 12):
//
//   f(x, y) = (x + 2y − 7)² + (2x + y − 5)²,   start (0, 0) with f = 74,   f* = 0 at (1, 3)
#pragma once

#include "lib/problem.hpp"
#include "lib/spec.hpp"

class Booth final : public descent::Problem {
 public:
  static descent::ProblemInfo info() {
    return {"booth",
            "2-D convex quadratic",
            "(x + 2y − 7)² + (2x + y − 5)²\nstart: (0, 0)\nf*: 0 at (1, 3)",
            {}};
  }

  Booth(const descent::Params&, std::uint64_t) {}

  descent::Index dim() const override { return 2; }
  descent::VecX initial_point(std::uint64_t) const override { return descent::VecX::Zero(2); }
  double loss_grad(descent::VecIn v, descent::VecOut g) const override {
    const double a = v[0] + 2 * v[1] - 7, b = 2 * v[0] + v[1] - 5;
    g[0] = 2 * a + 4 * b;
    g[1] = 4 * a + 2 * b;
    return a * a + b * b;
  }
  std::optional<double> optimum() const override { return 0.0; }
};
