// Google Benchmark suite: raw speed of steps, gradients and the run loop. The calibration
// kernels live here; bench_step.cpp, bench_problems.cpp and bench_harness.cpp add the rest.
#include <benchmark/benchmark.h>

#include "bench/triad.hpp"
#include "lib/optimizer_registry.hpp"
#include "lib/run.hpp"
#include "problems/registry.hpp"

namespace descent {
namespace {

// The calibration kernel: the STREAM triad a = b + s c, 3 words per element (bench/triad.hpp).
template <class T>
void BM_Triad(benchmark::State& state) {
  const Index n = state.range(0);
  Vec<T> a = Vec<T>::Zero(n), b = Vec<T>::Random(n), c = Vec<T>::Random(n);
  const T s = T(1.0001);
  for (auto _ : state) {
    bench::triad(a.data(), b.data(), c.data(), s, n);
    benchmark::DoNotOptimize(a.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * n * 3 * Index(sizeof(T)));
}
BENCHMARK(BM_Triad<double>)->RangeMultiplier(16)->Range(1 << 10, 1 << 24);


}  // namespace
}  // namespace descent

BENCHMARK_MAIN();
