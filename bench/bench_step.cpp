// One optimizer step at its default keys, for every elementwise optimizer of the registry (the
// block optimizers have bench/bench_matrix.cpp), in float and double, at n = 2^10, 2^12, ..., 2^24
// parameters: BM_Step/<optimizer>/<float|double>/<n>.
//
// bytes_per_second counts the words the update must read and write per parameter
// (OptimizerInfo::words_per_param: Adam reads x, g, m, v and writes x, m, v, 7 words).
// triad_ratio is that rate over the rate of the STREAM triad a = b + s c (3 words counted per
// element) measured just before, in the same process, at the same n and scalar type. The triad
// also pays for reading a before writing it (write-allocate) without counting it, while every
// word an optimizer writes it has also read, so a step that runs at memory speed shows a ratio
// near 4/3 for large n; 1 means the step moves its data as fast as STREAM reports.
#include <benchmark/benchmark.h>

#include <string>

#include "bench/triad.hpp"
#include "lib/optimizer_registry.hpp"

namespace descent {
namespace {

template <class T>
void BM_Step(benchmark::State& state, const OptimizerEntry* entry) {
  const Eigen::Index n = state.range(0);
  Vec<T> x = Vec<T>::Random(n), g = Vec<T>::Random(n);
  auto optimizer = make_optimizer<T>(parse_optimizer(entry->info.name), n);
  const double triad = bench::triad_bytes_per_second<T>(n);
  const double start = bench::cpu_seconds();
  for (auto _ : state) {
    optimizer->step(x, g, T(1));
    benchmark::DoNotOptimize(x.data());
    benchmark::ClobberMemory();
  }
  const double seconds = bench::cpu_seconds() - start;  // the clock of the reported CPU time
  const double bytes = double(state.iterations()) * double(n) *
                       double(entry->info.words_per_param) * double(sizeof(T));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["triad_ratio"] = bytes / seconds / triad;
  state.counters["triad_GBps"] = triad / 1e9;
}

// Grouped by size, so that every optimizer at one n and type runs close together in time.
const bool registered = [] {
  for (Eigen::Index n = 1 << 10; n <= 1 << 24; n *= 4)
    for (const auto& e : optimizer_registry()) {
      // The others: BM_MatrixStep (bench_matrix.cpp).
      if (!steps_at_defaults_on_a_vector(e)) continue;
      benchmark::RegisterBenchmark(("BM_Step/" + e.info.name + "/double").c_str(), BM_Step<double>,
                                   &e)
          ->Arg(n)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("BM_Step/" + e.info.name + "/float").c_str(), BM_Step<float>,
                                   &e)
          ->Arg(n)
          ->Unit(benchmark::kMicrosecond);
    }
  return true;
}();

}  // namespace
}  // namespace descent
