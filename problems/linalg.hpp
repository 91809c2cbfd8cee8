// Linear algebra the problems share: random rotations (the rotated quadratic, ill-conditioned
// blobs) and Newton's method for the convex models' optimum.
#pragma once

#include <optional>

#include "lib/problem.hpp"
#include "lib/rng.hpp"

namespace descent {

// A Haar-distributed orthogonal d × d matrix: QR of a Gaussian matrix with R's diagonal made
// positive (rotated quadratics, ill-conditioned blobs).
MatX random_orthogonal(Index d, Rng& rng);
// A Haar-distributed rows × cols matrix with orthonormal columns (cols <= rows): the thin QR of a
// Gaussian rows × cols matrix, R's diagonal made positive (the factorization problem's factors).
MatX random_orthonormal(Index rows, Index cols, Rng& rng);

// Damped Newton's method on a convex problem with a Hessian, from x, until the gradient norm
// is at most `tol`. `flat`: directions along which the loss is exactly constant (for softmax,
// one shift of all biases), kept out of the steps. Returns nothing when it does not converge.
std::optional<VecX> newton_minimize(const Problem& p, VecX x, const MatX& flat, double tol);

}  // namespace descent
