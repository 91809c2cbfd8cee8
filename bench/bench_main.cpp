// Google Benchmark suite: raw speed of steps, gradients and the run loop. The calibration
// kernels live here; bench_step.cpp, bench_problems.cpp and bench_harness.cpp add the rest.
//
// scripts/bench_compare.py divides every time by a calibration kernel of the same run, so that
// two runs on machines (or loads) of different speed can be compared: memory-bound benchmarks
// by the triad, compute-bound ones by the matrix product.
#include <benchmark/benchmark.h>

#include "bench/triad.hpp"
#include "lib/optimizer_registry.hpp"
#include "lib/run.hpp"
#include "problems/registry.hpp"

namespace descent {
namespace {

// The memory-bound calibration kernel: the STREAM triad a = b + s c, 3 words per element
// (bench/triad.hpp). Every size of BM_Step is covered, so a step is compared with the triad at
// its own n and scalar type.
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
BENCHMARK(BM_Triad<double>)->RangeMultiplier(4)->Range(1 << 10, 1 << 24);
BENCHMARK(BM_Triad<float>)->RangeMultiplier(4)->Range(1 << 10, 1 << 24);

// The compute-bound calibration kernel: C = A B in double at the MLP's shapes (m × k times
// k × n): a 64-sample mini-batch through a 64 → 64 layer, a 256-row full-batch chunk through
// the same layer (problems/mlp.hpp evaluates the full batch in chunks of 256 rows), and the
// 64 → 10 output layer. All operands fit in L2, so this measures the core, not memory.
void BM_Gemm(benchmark::State& state) {
  const Index m = state.range(0), k = state.range(1), n = state.range(2);
  const MatX a = MatX::Random(m, k), b = MatX::Random(k, n);
  MatX c(m, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["flops"] = benchmark::Counter(2.0 * double(m) * double(k) * double(n),
                                               benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Gemm)
    ->ArgNames({"m", "k", "n"})
    ->Args({64, 64, 64})
    ->Args({256, 64, 64})
    ->Args({64, 64, 10});

}  // namespace
}  // namespace descent

BENCHMARK_MAIN();
