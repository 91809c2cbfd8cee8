// The STREAM triad a = b + s c, the memory-bandwidth yardstick of the benchmarks: 3 words per
// element counted (b and c read, a written), as STREAM counts it.
#pragma once

#include <benchmark/benchmark.h>

#include <ctime>

#include "lib/optimizer.hpp"

namespace descent::bench {

template <class T>
void triad(T* __restrict a, const T* __restrict b, const T* __restrict c, T s, Eigen::Index n) {
  for (Eigen::Index i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
}

// Process CPU seconds, the clock Google Benchmark's default time (and so its rates) use.
inline double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// The triad's counted bytes per CPU second at length n: one warm-up pass, then batches of
// doubling size until one takes at least `min_seconds`; the last batch gives the rate. The
// buffers are kept between calls with the same n, so repeated calls measure without page faults.
template <class T>
double triad_bytes_per_second(Eigen::Index n, double min_seconds = 0.1) {
  static Vec<T> a, b, c;
  if (a.size() != n) {
    a = Vec<T>::Zero(n);
    b = Vec<T>::Random(n);
    c = Vec<T>::Random(n);
  }
  const T s = T(1.0001);
  triad(a.data(), b.data(), c.data(), s, n);
  for (long reps = 1;; reps *= 2) {
    const double start = cpu_seconds();
    for (long r = 0; r < reps; ++r) {
      triad(a.data(), b.data(), c.data(), s, n);
      benchmark::DoNotOptimize(a.data());
      benchmark::ClobberMemory();
    }
    const double elapsed = cpu_seconds() - start;
    if (elapsed >= min_seconds) return double(reps) * double(n) * 3 * double(sizeof(T)) / elapsed;
  }
}

}  // namespace descent::bench
