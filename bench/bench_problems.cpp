// Google Benchmark: the test problems' gradients.
//
// BM_Gradient/<spec>: one full loss_grad at the start point (for data problems over every
// training sample). For the memory-bound case, logistic regression on data far larger than
// the caches, bytes_per_second counts the feature matrix once, 8·n·d bytes per gradient (n
// training samples, d features), and triad_ratio is that rate over the STREAM triad's at a
// working set of the same size (bench/triad.hpp): the gradient reads X once, so a ratio near
// 1 means it runs at memory speed.
// BM_MlpStep/<spec>: one optimizer step on the MLP, a mini-batch gradient (sample_loss_grad,
// batch 64) and an Adam update.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "bench/triad.hpp"
#include "lib/optimizer_registry.hpp"
#include "problems/classifier.hpp"
#include "problems/registry.hpp"

namespace descent {
namespace {

// Instances are built once per spec: Google Benchmark calls a benchmark several times, and
// the large data sets take a while to generate.
const Problem& cached(const std::string& spec) {
  static std::map<std::string, std::unique_ptr<Problem>> cache;
  auto& p = cache[spec];
  if (!p) p = make_problem(spec, 0);
  return *p;
}

void BM_Gradient(benchmark::State& state, const std::string& spec, bool streams) {
  const Problem& p = cached(spec);
  const VecX x = p.initial_point(derive_seed(0, kStart));
  VecX g(p.dim());
  const auto* classifier = dynamic_cast<const Classifier*>(&p);
  const double words =
      streams && classifier ? double(p.samples()) * double(classifier->features()) : 0;
  const double triad = words > 0 ? bench::triad_bytes_per_second<double>(Index(words / 3)) : 0;
  const double start = bench::cpu_seconds();
  for (auto _ : state) {
    benchmark::DoNotOptimize(p.loss_grad(x, g));
    benchmark::ClobberMemory();
  }
  const double seconds = bench::cpu_seconds() - start;
  if (words == 0) return;
  const double bytes = double(state.iterations()) * 8.0 * words;
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["triad_ratio"] = bytes / seconds / triad;
  state.counters["triad_GBps"] = triad / 1e9;
}

void BM_MlpStep(benchmark::State& state, const std::string& spec) {
  const Problem& p = cached(spec);
  auto adam = make_optimizer<double>(parse_optimizer("adam:lr=1e-3"), p.dim());
  VecX x = p.initial_point(0), g(p.dim());
  const Index batch = 64, n = p.samples();
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  Rng rng(1);
  rng.shuffle(std::span<Index>(order));
  Index pos = 0;
  for (auto _ : state) {
    if (pos + batch > n) pos = 0;
    p.sample_loss_grad(x, {order.data() + pos, static_cast<std::size_t>(batch)}, rng, g);
    adam->step(x, g, 1.0);
    pos += batch;
    benchmark::DoNotOptimize(x.data());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

const bool registered = [] {
  for (const char* spec : {"quadratic:dim=1000,cond=1e3", "quadratic:dim=1000,cond=1e3,rotate=1",
                           "noisy_quadratic:dim=1000,cond=1e3", "rosenbrock:dim=1000", "beale",
                           "saddle:dim=1000,neg=10", "rastrigin:dim=1000", "logreg", "softmax",
                           "mlp:hidden=64", "mlp:hidden=64x32,act=tanh"}) {
    benchmark::RegisterBenchmark(("BM_Gradient/" + std::string(spec)).c_str(), BM_Gradient,
                                 std::string(spec), false)
        ->Unit(benchmark::kMicrosecond);
  }
  // The memory-bound case: logistic regression, n = 100000 training samples, d = 100.
  benchmark::RegisterBenchmark(
      "BM_Gradient/logreg:data=blobs,points=100000,features=100,test_frac=0,l2=0", BM_Gradient,
      std::string("logreg:data=blobs,points=100000,features=100,test_frac=0,l2=0"), true)
      ->Unit(benchmark::kMillisecond);
  for (const char* spec : {"mlp:hidden=64", "mlp:hidden=64,dropout=0.5", "mlp:hidden=64x32"})
    benchmark::RegisterBenchmark(("BM_MlpStep/" + std::string(spec)).c_str(), BM_MlpStep,
                                 std::string(spec))
        ->Unit(benchmark::kMicrosecond);
  return true;
}();

}  // namespace
}  // namespace descent
