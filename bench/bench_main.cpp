// Google Benchmark suite: raw speed of steps, gradients and the run loop.
#include <benchmark/benchmark.h>

#include "lib/optimizer_registry.hpp"
#include "lib/run.hpp"
#include "problems/registry.hpp"

namespace descent {
namespace {

// The calibration kernel: the STREAM triad a = b + s c, 3 words per element.
template <class T>
void BM_Triad(benchmark::State& state) {
  const Index n = state.range(0);
  Vec<T> a = Vec<T>::Zero(n), b = Vec<T>::Random(n), c = Vec<T>::Random(n);
  const T s = T(1.0001);
  for (auto _ : state) {
    T* __restrict ap = a.data();
    const T* __restrict bp = b.data();
    const T* __restrict cp = c.data();
    for (Index i = 0; i < n; ++i) ap[i] = bp[i] + s * cp[i];
    benchmark::DoNotOptimize(a.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * n * 3 * Index(sizeof(T)));
}
BENCHMARK(BM_Triad<double>)->RangeMultiplier(16)->Range(1 << 10, 1 << 24);

// One Adam step on 2-D Rosenbrock inside the run loop, logging every step.
void BM_RunLoop(benchmark::State& state) {
  const auto problem = make_problem("rosenbrock", 0);
  auto adam = make_optimizer<double>(parse_optimizer("adam:lr=1e-3"), 2);
  RunSettings settings;
  settings.budget.iters = 10000;
  settings.log.points = 100;
  for (auto _ : state) benchmark::DoNotOptimize(run(*problem, *adam, Schedule(), settings));
  state.SetItemsProcessed(state.iterations() * settings.budget.iters);
}
BENCHMARK(BM_RunLoop);

}  // namespace
}  // namespace descent

BENCHMARK_MAIN();
