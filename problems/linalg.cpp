#include "problems/linalg.hpp"

#include <Eigen/Cholesky>
#include <Eigen/QR>
#include <cmath>

namespace descent {

// Haar-distributed orthogonal matrix: QR of a Gaussian matrix with R's diagonal made positive.
MatX random_orthogonal(Index d, Rng& rng) {
  MatX a(d, d);
  for (Index j = 0; j < d; ++j)
    for (Index i = 0; i < d; ++i) a(i, j) = rng.normal();
  Eigen::HouseholderQR<MatX> qr(a);
  MatX q = qr.householderQ();
  for (Index j = 0; j < d; ++j)
    if (qr.matrixQR()(j, j) < 0) q.col(j) = -q.col(j);
  return q;
}

MatX random_orthonormal(Index rows, Index cols, Rng& rng) {
  MatX a(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i) a(i, j) = rng.normal();
  Eigen::HouseholderQR<MatX> qr(a);
  MatX q = qr.householderQ() * MatX::Identity(rows, cols);
  for (Index j = 0; j < cols; ++j)
    if (qr.matrixQR()(j, j) < 0) q.col(j) = -q.col(j);
  return q;
}

std::optional<VecX> newton_minimize(const Problem& p, VecX x, const MatX& flat, double tol) {
  const Index d = p.dim();
  VecX g(d), step(d), trial(d);
  MatX h(d, d);
  double f = p.loss_grad(x, g);
  for (int it = 0; it < 200 && std::isfinite(f); ++it) {
    if (g.norm() <= tol) return x;
    p.hessian(x, h);
    // Directions of constant loss get the mean curvature, so the system is regular; the
    // gradient has no component along them, and neither has the step.
    if (flat.cols() > 0) h.noalias() += h.diagonal().mean() * flat * flat.transpose();
    step = -Eigen::LDLT<MatX>(h).solve(g);
    if (flat.cols() > 0) step -= flat * (flat.transpose() * step);
    const double slope = g.dot(step);  // −(Newton decrement)²
    if (!(slope < 0)) break;
    if (-slope < 1e-20) return x;  // f − f* ≈ decrement²/2 < 1e-20
    // Damped phase with backtracking (Armijo); close to x* the full step is taken.
    double t = 1;
    if (-slope > 1e-8) {
      while (t > 1e-12) {
        trial = x + t * step;
        if (p.loss(trial) <= f + 1e-4 * t * slope) break;
        t /= 2;
      }
      if (t <= 1e-12) break;
    }
    x += t * step;
    f = p.loss_grad(x, g);
  }
  return std::isfinite(f) && g.norm() <= tol ? std::optional<VecX>(x) : std::nullopt;
}

}  // namespace descent
