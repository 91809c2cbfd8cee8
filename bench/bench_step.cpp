// One optimizer step at its default keys, for every elementwise optimizer of the registry (the
// block optimizers have bench/bench_matrix.cpp), in float and double, at n = 2^10, 2^12, ..., 2^24
// parameters: BM_Step/<optimizer>/<float|double>/<n>. Every framework's flavor of an optimizer
// that has them (and of Adam with amsgrad=1) in double at n = 2^10 and 2^24:
// BM_Step/<optimizer>:flavor=<name>/double/<n> (Adam also with amsgrad=1, RMSProp with momentum),
// to show that a flavor costs nothing on the step.
//
// bytes_per_second counts the words the update must read and write per parameter
// (OptimizerInfo::words_per_param: Adam reads x, g, m, v and writes x, m, v, 7 words).
// triad_ratio is that rate over the rate of the STREAM triad a = b + s c (3 words counted per
// element) measured just before, in the same process, at the same n and scalar type. The triad
// also pays for reading a before writing it (write-allocate) without counting it, while every
// word an optimizer writes it has also read, so a step that runs at memory speed shows a ratio
// near 4/3 for large n; 1 means the step moves its data as fast as STREAM reports.
#include <benchmark/benchmark.h>

#include <deque>
#include <string>

#include "bench/triad.hpp"
#include "lib/optimizer_registry.hpp"

namespace descent {
namespace {

// What one benchmark steps: the optimizer's spec and the words it moves per parameter.
struct Stepped {
  std::string spec;
  int words;
};

template <class T>
void BM_Step(benchmark::State& state, const Stepped* stepped) {
  const Eigen::Index n = state.range(0);
  Vec<T> x = Vec<T>::Random(n), g = Vec<T>::Random(n);
  auto optimizer = make_optimizer<T>(parse_optimizer(stepped->spec), n);
  const double triad = bench::triad_bytes_per_second<T>(n);
  const double start = bench::cpu_seconds();
  for (auto _ : state) {
    optimizer->step(x, g, T(1));
    benchmark::DoNotOptimize(x.data());
    benchmark::ClobberMemory();
  }
  const double seconds = bench::cpu_seconds() - start;  // the clock of the reported CPU time
  const double bytes =
      double(state.iterations()) * double(n) * double(stepped->words) * double(sizeof(T));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["triad_ratio"] = bytes / seconds / triad;
  state.counters["triad_GBps"] = triad / 1e9;
}

void add(const std::string& name, const Stepped* stepped, Eigen::Index n, bool in_float) {
  benchmark::RegisterBenchmark(("BM_Step/" + name + "/double").c_str(), BM_Step<double>, stepped)
      ->Arg(n)
      ->Unit(benchmark::kMicrosecond);
  if (in_float)
    benchmark::RegisterBenchmark(("BM_Step/" + name + "/float").c_str(), BM_Step<float>, stepped)
        ->Arg(n)
        ->Unit(benchmark::kMicrosecond);
}

// Grouped by size, so that every optimizer at one n and type runs close together in time.
const bool registered = [] {
  static std::deque<Stepped> stepped;  // stable addresses for the registered benchmarks
  for (Eigen::Index n = 1 << 10; n <= 1 << 24; n *= 4) {
    for (const auto& e : optimizer_registry()) {
      // The others: BM_MatrixStep (bench_matrix.cpp).
      if (!steps_at_defaults_on_a_vector(e)) continue;
      add(e.info.name, &stepped.emplace_back(Stepped{e.info.name, e.info.words_per_param}), n,
          true);
    }
    if (n != 1 << 10 && n != 1 << 24) continue;
    for (const auto& e : optimizer_registry())
      for (const Flavor& f : e.info.flavors) {
        const std::string spec = e.info.name + ":flavor=" + f.name;
        if (f.name != "torch")
          add(spec, &stepped.emplace_back(Stepped{spec, e.info.words_per_param}), n, false);
        // The forms that only a key beside the flavor reaches, which move a vector more.
        const std::string extra = e.info.name == "adam"      ? ",amsgrad=1"
                                  : e.info.name == "rmsprop" ? ",momentum=0.9"
                                                             : "";
        if (!extra.empty())
          add(spec + extra,
              &stepped.emplace_back(Stepped{spec + extra, e.info.words_per_param + 2}), n, false);
      }
  }
  return true;
}();

}  // namespace
}  // namespace descent
