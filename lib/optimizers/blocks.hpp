// What the matrix-aware optimizers share: views of a parameter block inside the flat vector
// (lib/problem.hpp Block: row-major rows with a row stride), contiguous working matrices, and
// torch's lerp, whose rounding the reference implementations have.
#pragma once

#include <Eigen/Core>

#include "lib/optimizer.hpp"

namespace descent {

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A matrix block of x (or g) as an Eigen expression; reads and writes go to the flat vector.
template <class T>
auto matrix_view(T* base, const Block& b) {
  return Eigen::Map<RowMatrix<T>, 0, Eigen::OuterStride<>>(base + b.offset, b.rows, b.cols,
                                                           Eigen::OuterStride<>(b.stride));
}
template <class T>
auto matrix_view(const T* base, const Block& b) {
  return Eigen::Map<const RowMatrix<T>, 0, Eigen::OuterStride<>>(base + b.offset, b.rows, b.cols,
                                                                 Eigen::OuterStride<>(b.stride));
}
// A vector block (and a matrix block's entries, for elementwise parts) as a strided vector.
template <class T>
auto vector_view(T* base, const Block& b) {
  return Eigen::Map<Vec<T>, 0, Eigen::InnerStride<>>(base + b.offset, b.rows,
                                                     Eigen::InnerStride<>(b.stride));
}
template <class T>
auto vector_view(const T* base, const Block& b) {
  return Eigen::Map<const Vec<T>, 0, Eigen::InnerStride<>>(base + b.offset, b.rows,
                                                           Eigen::InnerStride<>(b.stride));
}

// A block as a matrix: a vector block as one column (its stride becomes the row stride), for
// code that treats both alike.
inline Block as_matrix(const Block& b) {
  return b.matrix ? b : Block{b.name, b.offset, b.rows, 1, b.stride, false};
}

// The contiguous runs of a block in the flat vector, as f(offset, length): one run for a
// contiguous block, else a matrix's rows (a strided vector's entries one by one).
template <class F>
void for_each_run(const Block& b, F&& f) {
  if (b.stride == (b.matrix ? b.cols : 1)) return f(b.offset, b.size());
  const Index length = b.matrix ? b.cols : 1;
  for (Index r = 0; r < b.rows; ++r) f(b.offset + r * b.stride, length);
}

// torch.lerp(a, b, w) = a + w (b − a), computed as torch does: from the nearer end.
template <class T>
T lerp(T a, T b, T w) {
  return w < T(0.5) ? a + w * (b - a) : b - (b - a) * (T(1) - w);
}

}  // namespace descent
