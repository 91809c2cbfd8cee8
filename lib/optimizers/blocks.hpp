// The loop structure of the optimizers whose update takes a square root.
//
// for_blocks runs f(begin, length) over [0, n) in blocks that stay in the L1 cache. An update
// written as a few Eigen array expressions per block still moves each vector through memory
// once, like one fused loop, and is vectorized; a scalar loop calling std::sqrt is not under
// GCC's default -fmath-errno (it keeps a call to sqrt for errno) and runs at a third of memory
// speed. exact_sqrt keeps √ correctly rounded: Eigen's own .sqrt() is an approximation on
// AVX-512 packets and on AVX float packets (rsqrt and Newton steps, its default EIGEN_FAST_MATH).
#pragma once

#include <algorithm>
#include <cmath>
#include <experimental/simd>

#include "lib/optimizer.hpp"

namespace descent {

inline constexpr Eigen::Index kBlock = 256;

template <class T>
using Block = Eigen::Array<T, Eigen::Dynamic, 1, 0, kBlock, 1>;  // a block's temporary, no heap

template <class F>
void for_blocks(Eigen::Index n, F&& f) {
  for (Eigen::Index i = 0; i < n; i += kBlock) f(i, std::min(kBlock, n - i));
}

// √ of the values of a block's array expression, correctly rounded, with SIMD instructions.
template <class E>
Block<typename E::Scalar> exact_sqrt(const Eigen::ArrayBase<E>& e) {
  using T = typename E::Scalar;
  using Simd = std::experimental::native_simd<T>;
  constexpr auto flags = std::experimental::element_aligned;
  Block<T> r = e;
  T* p = r.data();
  const Eigen::Index n = r.size(), lanes = Eigen::Index(Simd::size());
  Eigen::Index i = 0;
  for (; i + lanes <= n; i += lanes) sqrt(Simd(p + i, flags)).copy_to(p + i, flags);
  for (; i < n; ++i) p[i] = std::sqrt(p[i]);
  return r;
}

}  // namespace descent
