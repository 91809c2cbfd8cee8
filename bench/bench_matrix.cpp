// One step of the matrix-aware optimizers on ONE square n × n block of doubles
// (Layout{matrix_block("W", 0, n, n, n)}), n = 256 and 1024, at their default keys, with Adam on
// the same parameters as the elementwise reference: BM_MatrixStep/<optimizer>/<n> (shampoo with
// lr=1e-3,eps=1e-6 and adafactor with lr=1e-3, the keys they require, left out of the name). The
// gradient is a fixed random matrix (srand(1), Eigen's Random), and every iteration steps on it
// again. One step is taken before timing: SOAP's first call only builds its bases, and Shampoo's
// first step computes its roots whatever update_every is.
//
// flops counts the floating-point operations of the step's matrix products per CPU second,
// analytically from each optimizer's equations (an m × k times k × n product is 2 m k n flops;
// what its implementation actually spends, e.g. exploiting symmetry, does not change the count):
//   muon      ns_steps (5) × (A = X Xᵀ, A A, B X: 3 × 2n³)                       = 30 n³
//   shampoo   L += G Gᵀ, R += Gᵀ G (4n³) and L^{-1/4} G R^{-1/4} (4n³)          =  8 n³
//             the eigendecompositions are not counted: with update_every=1 every step does two
//             (and forms both roots, 4n³ more); shampoo:update_every=100 measures only steps
//             between two refreshes (a fixed iteration count, 60 or 6, keeps it within them)
//   soap      Q_Lᵀ G Q_R (4n³), Q_L N Q_Rᵀ (4n³), m out of and back into the basis (8n³),
//             G Gᵀ and Gᵀ G (4n³)                                                 = 20 n³
//             the refresh (sorting, Qᵀ L Q, L Q and a QR, for L and R) is not counted, but at
//             its default precondition_frequency=10 every tenth step does it, so its time is
//             amortized in (100 or 10 iterations: whole periods); soap:precondition_frequency=1000
//             measures the steps without it
//   adafactor, adam: no matrix products (time only)
// gemm_ratio is that rate over the rate of C = A B at the same n (2n³ flops, Eigen's noalias
// GEMM) measured just before in the same process. adam_ratio (shampoo and soap) is the step's
// time over Adam's step on the same block, measured just before as well, and bound_ratio the
// step's time over Adam's step plus the counted flops at the GEMM rate: what a step that
// spends nothing beyond an elementwise pass and its products at GEMM speed would take.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "bench/triad.hpp"
#include "lib/optimizer_registry.hpp"

namespace descent {
namespace {

// Runs f in batches of doubling size (after one warm-up call) until a batch takes at least
// min_seconds; the CPU seconds per call of the last batch.
template <class F>
double seconds_per_call(F&& f, double min_seconds = 0.1) {
  f();
  for (long reps = 1;; reps *= 2) {
    const double start = bench::cpu_seconds();
    for (long r = 0; r < reps; ++r) f();
    const double elapsed = bench::cpu_seconds() - start;
    if (elapsed >= min_seconds) return elapsed / double(reps);
  }
}

// Flops per CPU second of C = A B, n × n × n, as BM_Gemm computes it.
double gemm_flops_per_second(Index n) {
  const MatX a = MatX::Random(n, n), b = MatX::Random(n, n);
  MatX c(n, n);
  const double seconds = seconds_per_call([&] {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  });
  return 2.0 * double(n) * double(n) * double(n) / seconds;
}

struct Case {
  std::string name, spec;  // the benchmark's name shows the keys that are not fixed
  double flops_per_n3;     // counted matrix flops per step, over n³
  bool adam_ratio;         // report adam_ratio and bound_ratio
  int iterations_256 = 0, iterations_1024 = 0;  // fixed iteration counts (0: Google Benchmark's)
};

void BM_MatrixStep(benchmark::State& state, const Case& c) {
  const Index n = state.range(0);
  const Layout layout{matrix_block("W", 0, n, n, n)};
  std::srand(1);
  const VecX g = VecX::Random(n * n);
  VecX x = VecX::Random(n * n);
  const double gemm = gemm_flops_per_second(n);
  double adam_seconds = 0;
  if (c.adam_ratio) {
    auto adam = make_optimizer<double>(parse_optimizer("adam"), layout);
    VecX y = x;
    adam_seconds = seconds_per_call([&] {
      adam->step(y, g, 1.0);
      benchmark::DoNotOptimize(y.data());
      benchmark::ClobberMemory();
    });
  }
  auto optimizer = make_optimizer<double>(parse_optimizer(c.spec), layout);
  optimizer->step(x, g, 1.0);
  const double start = bench::cpu_seconds();
  for (auto _ : state) {
    optimizer->step(x, g, 1.0);
    benchmark::DoNotOptimize(x.data());
    benchmark::ClobberMemory();
  }
  const double seconds = (bench::cpu_seconds() - start) / double(state.iterations());
  const double flops = c.flops_per_n3 * double(n) * double(n) * double(n);
  if (flops > 0) {
    state.counters["flops"] =
        benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["gemm_ratio"] = flops / seconds / gemm;
  }
  state.counters["gemm_GFLOPs"] = gemm / 1e9;
  if (c.adam_ratio) {
    state.counters["adam_ratio"] = seconds / adam_seconds;
    state.counters["bound_ratio"] = seconds / (adam_seconds + flops / gemm);
  }
}

const bool registered = [] {
  static const Case cases[] = {
      {"muon", "muon", 30, false},
      {"shampoo", "shampoo:lr=1e-3,eps=1e-6", 8, true},
      // Between two refreshes: the warm-up step refreshed the roots, the next 99 do not.
      {"shampoo:update_every=100", "shampoo:lr=1e-3,eps=1e-6,update_every=100", 8, true, 60, 6},
      // Whole refresh periods: every tenth timed step refreshes the bases.
      {"soap", "soap", 20, true, 100, 10},
      {"soap:precondition_frequency=1000", "soap:precondition_frequency=1000", 20, true},
      {"adafactor", "adafactor:lr=1e-3", 0, false},  // adafactor requires lr
      {"adam", "adam", 0, false},
  };
  for (const Case& c : cases) {
    for (const Index n : {Index(256), Index(1024)}) {
      auto* b = benchmark::RegisterBenchmark(("BM_MatrixStep/" + c.name).c_str(), BM_MatrixStep, c)
                    ->ArgName("n")
                    ->Arg(n)
                    ->Unit(benchmark::kMillisecond);
      if (const int k = n == 256 ? c.iterations_256 : c.iterations_1024) b->Iterations(k);
    }
  }
  return true;
}();

}  // namespace
}  // namespace descent
