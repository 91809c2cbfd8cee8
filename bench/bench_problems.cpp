// Google Benchmark: the test problems' gradients.
//
// BM_Gradient/<spec>: one full loss_grad at the start point (for data problems over every
// training sample). For the memory-bound case, logistic regression on data far larger than
// the caches, bytes_per_second counts the feature matrix once, 8·n·d bytes per gradient (n
// training samples, d features), and triad_ratio is that rate over the STREAM triad's at a
// working set of the same size (bench/triad.hpp): the gradient reads X once, so a ratio near
// 1 means it runs at memory speed.
// BM_MlpStep/<spec> and BM_MlpStep/float32/<spec>: one optimizer step on the MLP, a mini-batch
// gradient (batch 64) and an Adam update, in double or float, against the floor of its matrix
// products (x_floor).
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <type_traits>
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

// The matrix products of one MLP step on a mini-batch of b samples, per layer (in → out): the
// forward product (b × in)(in × out), the weight gradient (in × b)(b × out) and, below the top
// layer, the delta (b × out)(out × in); problems/mlp.hpp.
struct Product {
  Index m, k, n;
  double flops() const { return 2.0 * double(m) * double(k) * double(n); }
};
std::vector<Product> step_products(const Layout& layout, Index b) {
  std::vector<Product> out;
  for (std::size_t i = 0; i < layout.size(); i += 2) {  // W_l, then b_l
    const Index in = layout[i].cols, units = layout[i].rows;
    out.push_back({b, in, units});
    out.push_back({in, b, units});
    if (i > 0) out.push_back({b, units, in});
  }
  return out;
}

// The floor of a step: the time of its products alone, each timed as BM_Gemm times its shape
// (C = A B, Eigen, scalar T), best of three rounds of at least 20 ms.
template <class T>
double products_seconds(const std::vector<Product>& products) {
  using M = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  double total = 0;
  for (const Product& p : products) {
    const M a = M::Random(p.m, p.k), b = M::Random(p.k, p.n);
    M c(p.m, p.n);
    double best = 1e300;
    for (int round = 0; round < 3; ++round) {
      long reps = 0;
      const double start = bench::cpu_seconds();
      double elapsed = 0;
      do {
        for (int i = 0; i < 16; ++i, ++reps) {
          c.noalias() = a * b;
          benchmark::DoNotOptimize(c.data());
        }
        elapsed = bench::cpu_seconds() - start;
      } while (elapsed < 0.02);
      best = std::min(best, elapsed / double(reps));
    }
    total += best;
  }
  return total;
}

// BM_MlpStep<T>: one Adam step in T (double, or float for dtype float32) on a mini-batch of 64:
// the gradient (sample_loss_grad, or its float path) and the update. Counters: gemm_flops, the
// step's matrix-product flops; floor_us, those products' own time at the BM_Gemm rate of their
// shapes and type, measured in this run; x_floor, the step's CPU time over that floor.
template <class T>
void BM_MlpStep(benchmark::State& state, const std::string& spec) {
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  const Problem& p = cached(spec);
  auto adam = make_optimizer<T>(parse_optimizer("adam:lr=1e-3"), p.dim());
  Vec x = p.initial_point(0).cast<T>(), g(p.dim());
  const Index batch = 64, n = p.samples();
  const std::vector<Product> products = step_products(p.layout(), batch);
  double flops = 0;
  for (const Product& q : products) flops += q.flops();
  const double floor = products_seconds<T>(products);
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  Rng rng(1);
  rng.shuffle(std::span<Index>(order));
  Index pos = 0;
  const double start = bench::cpu_seconds();
  for (auto _ : state) {
    if (pos + batch > n) pos = 0;
    const std::span<const Index> rows(order.data() + pos, static_cast<std::size_t>(batch));
    if constexpr (std::is_same_v<T, double>)
      p.sample_loss_grad(x, rows, rng, g);
    else
      p.sample_loss_grad_f32(x, rows, rng, g);
    adam->step(x, g, T(1));
    pos += batch;
    benchmark::DoNotOptimize(x.data());
  }
  const double per_step = (bench::cpu_seconds() - start) / double(state.iterations());
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["gemm_flops"] = flops;
  state.counters["floor_us"] = floor * 1e6;
  state.counters["x_floor"] = per_step / floor;
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
  // The digits MLPs, and a wide one where the products dominate: 784 → 256 → 256 → 10 on
  // synthetic data of MNIST's shape.
  for (const char* spec :
       {"mlp:hidden=64", "mlp:hidden=64,dropout=0.5", "mlp:hidden=64x32",
        "mlp:data=blobs,points=2048,features=784,classes=10,hidden=256x256,test_frac=0"}) {
    benchmark::RegisterBenchmark(("BM_MlpStep/" + std::string(spec)).c_str(), BM_MlpStep<double>,
                                 std::string(spec))
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_MlpStep/float32/" + std::string(spec)).c_str(),
                                 BM_MlpStep<float>, std::string(spec))
        ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
}  // namespace descent
