// Google Benchmark: what a step of Newton, L-BFGS and Adam costs against the dimension n, and
// what reaching a tolerance costs (the course's claim that Newton's O(n²) Hessian and O(n³)
// solve make it impractical at scale, while L-BFGS keeps the benefit on full batches).
//
// BM_ScalingStep/<method>/<problem>/<n>: one benchmark iteration runs kSteps steps from the start
// point (the optimizer reset first), each a full gradient (and for Newton the Hessian) and the
// update: `step_s` is the CPU seconds per step. `state_bytes` is the memory the optimizer holds,
// measured (glibc's mallinfo2: bytes in use after it is built, minus before): Newton's four
// n × n matrices (Hessian, its modified copy, the Cholesky and LDLᵀ factors), L-BFGS's 2m
// vectors, Adam's two moments. The problem's own memory (A, the data) is not in it.
// BM_ScalingSolve/<method>/<problem>/<n>: from the start point to ‖∇f‖ ≤ 1e-6 ‖∇f(x0)‖ (at
// most kMaxSolveSteps steps, Adam at its best rate of a small grid is not run: it needs tens
// of thousands): `solve_s` seconds and `steps`. scripts/scaling.py fits the exponents and finds
// the crossover from the JSON output.
//
// Problems: `quadratic:dim=n,cond=100,rotate=1` (dense Hessian A, gradient A x: O(n²)), n up to
// 4000, where Newton's one step still competes with L-BFGS's 65, and
// `logreg:data=blobs,features=n−1,points=1000,test_frac=0,l2=1e-3` (Hessian O(points n²)), n up to
// 2000. mallinfo2 does not see blocks that glibc's thread cache serves (up to 1 KiB): a state of
// such small vectors reads 0 (Adam below n = 200, Newton at n = 10).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <map>
#include <memory>
#include <string>

#include "lib/optimizer_registry.hpp"
#include "lib/oracle.hpp"
#include "problems/registry.hpp"

namespace descent {
namespace {

constexpr int kSteps = 10;
constexpr int kMaxSolveSteps = 2000;
constexpr double kTolerance = 1e-6;

// The full objective, as the run loop's oracle gives it to a full-batch method.
class FullOracle final : public Oracle {
 public:
  explicit FullOracle(const Problem& p) : p_(p) {}
  double loss_grad(VecIn x, VecOut g) override { return p_.loss_grad(x, g); }
  double current_loss() const override { return f_; }
  bool has_hessian() const override { return p_.has_hessian(); }
  void hessian(VecIn x, Eigen::Ref<MatX> h) override { p_.hessian(x, h); }
  double f_ = 0;

 private:
  const Problem& p_;
};

const Problem& cached(const std::string& spec) {
  static std::map<std::string, std::unique_ptr<Problem>> cache;
  auto& p = cache[spec];
  if (!p) p = make_problem(spec, 0);
  return *p;
}

std::string problem_spec(const std::string& kind, long n) {
  if (kind == "quadratic") return "quadratic:dim=" + std::to_string(n) + ",cond=100,rotate=1";
  return "logreg:data=blobs,features=" + std::to_string(n - 1) +
         ",points=1000,test_frac=0,l2=1e-3";  // n parameters: n − 1 weights and the bias
}

std::size_t bytes_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

struct Built {
  std::unique_ptr<Optimizer<double>> opt;
  std::size_t bytes;
};
Built build(const std::string& method, const Problem& p) {
  const std::size_t before = bytes_in_use();
  auto opt = make_optimizer<double>(parse_optimizer(method), p.dim());
  return {std::move(opt), bytes_in_use() - before};
}

// One step as the run loop takes it: the gradient at x, then the update.
void step(const Problem& p, Optimizer<double>& opt, FullOracle& oracle, VecX& x, VecX& g) {
  oracle.f_ = p.loss_grad(x, g);
  opt.step(x, g);
}

void BM_ScalingStep(benchmark::State& state, const std::string& method, const std::string& kind) {
  const Problem& p = cached(problem_spec(kind, state.range(0)));
  auto [opt, bytes] = build(method, p);
  FullOracle oracle(p);
  opt->set_oracle(&oracle);
  const VecX x0 = p.initial_point(derive_seed(0, kStart));
  VecX x(p.dim()), g(p.dim());
  for (auto _ : state) {
    opt->reset();
    x = x0;
    for (int k = 0; k < kSteps; ++k) step(p, *opt, oracle, x, g);
    benchmark::DoNotOptimize(x.data());
  }
  state.counters["step_s"] =
      benchmark::Counter(double(state.iterations()) * kSteps,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["state_bytes"] = double(bytes);
  state.counters["n"] = double(p.dim());
}

void BM_ScalingSolve(benchmark::State& state, const std::string& method, const std::string& kind) {
  const Problem& p = cached(problem_spec(kind, state.range(0)));
  auto opt = build(method, p).opt;
  FullOracle oracle(p);
  opt->set_oracle(&oracle);
  const VecX x0 = p.initial_point(derive_seed(0, kStart));
  VecX x(p.dim()), g(p.dim());
  p.loss_grad(x0, g);
  const double stop = kTolerance * g.norm();
  int steps = 0;
  for (auto _ : state) {
    opt->reset();
    x = x0;
    steps = 0;
    for (oracle.f_ = p.loss_grad(x, g); g.norm() > stop && steps < kMaxSolveSteps; ++steps) {
      opt->step(x, g);
      oracle.f_ = p.loss_grad(x, g);
    }
    benchmark::DoNotOptimize(x.data());
  }
  state.counters["solve_s"] = benchmark::Counter(
      double(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["steps"] = steps;
  state.counters["converged"] = steps < kMaxSolveSteps;
  state.counters["n"] = double(p.dim());
}

const bool registered = [] {
  for (const char* kind : {"quadratic", "logreg"})
    for (const char* method : {"newton", "lbfgs", "adam:lr=1e-2"}) {
      const std::string name = std::string(method).substr(0, std::string(method).find(':'));
      for (long n : {10, 20, 50, 100, 200, 500, 1000, 2000, 4000}) {
        if (n == 4000 && std::string(kind) != "quadratic") continue;  // the quadratic's crossover
        benchmark::RegisterBenchmark(("BM_ScalingStep/" + name + "/" + kind).c_str(),
                                     BM_ScalingStep, std::string(method), std::string(kind))
            ->Arg(n)
            ->Unit(benchmark::kMillisecond)
            ->MinTime(0.2);
        if (name != "adam")
          benchmark::RegisterBenchmark(("BM_ScalingSolve/" + name + "/" + kind).c_str(),
                                       BM_ScalingSolve, std::string(method), std::string(kind))
              ->Arg(n)
              ->Unit(benchmark::kMillisecond)
              ->MinTime(0.2);
      }
    }
  return true;
}();

}  // namespace
}  // namespace descent
