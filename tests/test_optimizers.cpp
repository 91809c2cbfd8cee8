// The optimizer library beyond the golden trajectories: the cs231n forms against torch's, key
// ranges, hand-computed steps of the named variants, float and double, reset and the rate factor.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "lib/optimizer_registry.hpp"
#include "problems/registry.hpp"

using namespace descent;

namespace {

using Scale = std::function<double(int)>;

VecX rosenbrock_start() { return (VecX(2) << -1.2, 1.0).finished(); }

const Scale constant = [](int) { return 1.0; };

// The spec of an optimizer at its defaults, with a value for each key it requires.
std::string base_spec(const OptimizerEntry& e) {
  std::vector<std::string> required;
  for (const Key& k : e.keys)
    if (k.required) required.push_back(k.name + "=1e-2");
  return required.empty() ? e.info.name
                          : e.info.name + ":" + fmt::format("{}", fmt::join(required, ","));
}

// n parameters as the optimizer of `spec` sees them: one vector for the elementwise ones, one
// matrix (1 × n, or 2 × n/2) for those that work on blocks.
Layout layout_for(const std::string& spec, Index n) {
  if (find_optimizer(parse_spec(spec).name).info.blocks == BlockUse::none) return vector_layout(n);
  const Index rows = n % 2 == 0 && n > 2 ? 2 : 1;
  return {matrix_block("X", 0, rows, n / rows, n / rows)};
}

// The iterates x_1..x_steps of an optimizer on a problem; step k (0-based) runs at factor scale(k).
std::vector<VecX> iterates(const std::string& optimizer, const std::string& problem, int steps,
                           const Scale& scale = constant) {
  const auto p = make_problem(problem, 0);
  auto o = make_optimizer<double>(parse_optimizer(optimizer), layout_for(optimizer, p->dim()));
  VecX x = problem == "rosenbrock" ? rosenbrock_start() : p->initial_point(0);
  VecX g(p->dim());
  std::vector<VecX> out;
  for (int k = 0; k < steps; ++k) {
    p->loss_grad(x, g);
    o->step(x, g, scale(k));
    out.push_back(x);
  }
  return out;
}

// max_k |a_k − b_k| / |b_k| over the iterates.
double max_relative_difference(const std::vector<VecX>& a, const std::vector<VecX>& b) {
  double worst = 0;
  for (std::size_t k = 0; k < a.size(); ++k)
    worst = std::max(worst, (a[k] - b[k]).norm() / b[k].norm());
  return worst;
}

// The UsageError message of a spec, or "" when it binds.
std::string usage_error(const std::string& spec) {
  try {
    parse_optimizer(spec);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

// Every optimizer at its defaults, and every named variant.
std::vector<std::string> all_specs() {
  std::vector<std::string> specs;
  for (const auto& e : optimizer_registry()) specs.push_back(base_spec(e));
  for (const char* s : {"momentum:variant=ewa",
                        "momentum:variant=cs231n",
                        "nesterov:variant=cs231n",
                        "adagrad:lr_decay=0.1,initial_accumulator=0.1",
                        "rmsprop:centered=1",
                        "rmsprop:momentum=0.5",
                        "rmsprop:momentum=0.5,centered=1",
                        "adam:amsgrad=1",
                        "adam:bias_correction=0",
                        "adamw:amsgrad=1",
                        "sgd:clip=0.5,weight_decay=0.1",
                        "muon:nesterov=0,weight_decay=0.1",
                        "adafactor:lr=1e-2,beta1=0.9,scale_parameter=0",
                        "shampoo:lr=1e-2,eps=1e-2,update_every=3",
                        "soap:eps=1e-4,precondition_frequency=2",
                        "lamb:bias_correction=1,weight_decay=0.1",
                        "prodigy:bias_correction=1,growth_rate=1.02",
                        "sfsgd:warmup_steps=5,r=1",
                        "sfadamw:weight_decay=0.1,warmup_steps=5",
                        "asgd:t0=3,lambd=0.01",
                        "adopt:decouple=1,weight_decay=0.1",
                        "adabelief:rectify=0"})
    specs.push_back(s);
  return specs;
}

// f(x) = ½ Σ λ_i x_i² with λ = 1..4, in the scalar type under test.
template <class T>
std::vector<Vec<T>> quadratic_iterates(const std::string& spec, int steps) {
  Vec<T> x(4), g(4), lambda(4);
  x << T(1), T(-0.5), T(0.25), T(2);
  lambda << T(1), T(2), T(3), T(4);
  auto o = make_optimizer<T>(parse_optimizer(spec), layout_for(spec, 4));
  std::vector<Vec<T>> out;
  for (int k = 0; k < steps; ++k) {
    g = lambda.cwiseProduct(x);
    o->step(x, g, T(1));
    out.push_back(x);
  }
  return out;
}

}  // namespace

TEST_CASE("cs231n momentum and nesterov equal torch's forms at a constant rate", "[optimizers]") {
  // torch keeps v_t = μ v_{t−1} + g_t and steps −η v_t; cs231n keeps u_t = μ u_{t−1} − η g_t.
  // With η constant, −η v_t = μ (−η v_{t−1}) − η g_t, so u_t = −η v_t for every t (both start
  // at 0): torch's η·v is cs231n's v, and the iterates agree up to rounding.
  for (const std::string name : {"momentum", "nesterov"}) {
    for (const auto& [problem, lr] : {std::pair<std::string, std::string>{"rosenbrock", "1e-3"},
                                      {"quadratic:dim=4,cond=100", "1e-2"}}) {
      INFO(name << " on " << problem);
      const std::string base = name + ":lr=" + lr + ",momentum=0.9";
      const auto torch = iterates(base, problem, 200);
      const auto cs231n = iterates(base + ",variant=cs231n", problem, 200);
      CHECK(max_relative_difference(cs231n, torch) <= 1e-12);
      CHECK((torch.back() - torch.front()).norm() > 1e-2);  // the runs moved
    }
  }
}

TEST_CASE("cs231n momentum and nesterov differ from torch's forms when the rate changes",
          "[optimizers]") {
  // Halving the rate every 50 steps: torch's step −η_t v_t rescales the whole accumulated
  // velocity at once, cs231n's velocity keeps the earlier gradients at the rates they had.
  const Scale halving = [](int k) { return std::pow(0.5, k / 50); };
  for (const std::string name : {"momentum", "nesterov"}) {
    INFO(name);
    const std::string base = name + ":lr=1e-3,momentum=0.9";
    const auto torch = iterates(base, "rosenbrock", 200, halving);
    const auto cs231n = iterates(base + ",variant=cs231n", "rosenbrock", 200, halving);
    const std::vector<VecX> first50_t(torch.begin(), torch.begin() + 50);
    const std::vector<VecX> first50_c(cs231n.begin(), cs231n.begin() + 50);
    CHECK(max_relative_difference(first50_c, first50_t) <= 1e-12);  // same until the change
    CHECK(max_relative_difference(cs231n, torch) > 1e-3);
  }
}

TEST_CASE("ewa momentum at rate η is classic momentum at rate (1 − β) η", "[optimizers]") {
  const auto ewa = iterates("momentum:lr=1e-2,momentum=0.9,variant=ewa", "rosenbrock", 100);
  const auto classic = iterates("momentum:lr=1e-3,momentum=0.9", "rosenbrock", 100);
  CHECK(max_relative_difference(ewa, classic) <= 1e-12);
}

TEST_CASE("out-of-range hyperparameters are usage errors naming the key", "[optimizers]") {
  // The ranges every optimizer must declare (a key losing its range fails here).
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"sgd:lr=0", "lr"},
      {"momentum:lr=-1", "lr"},
      {"momentum:momentum=1", "momentum"},
      {"momentum:variant=heavy", "variant"},
      {"nesterov:momentum=-0.1", "momentum"},
      {"nesterov:variant=ewa", "variant"},
      {"adagrad:lr=0", "lr"},
      {"adagrad:lr_decay=-1", "lr_decay"},
      {"adagrad:eps=0", "eps"},
      {"adagrad:initial_accumulator=-0.1", "initial_accumulator"},
      {"adadelta:lr=0", "lr"},
      {"adadelta:rho=1", "rho"},
      {"adadelta:eps=-1e-6", "eps"},
      {"rmsprop:alpha=1", "alpha"},
      {"rmsprop:eps=0", "eps"},
      {"rmsprop:momentum=1.5", "momentum"},
      {"rmsprop:centered=2", "centered"},
      {"adam:beta1=1", "beta1"},
      {"adam:beta2=-0.5", "beta2"},
      {"adam:eps=0", "eps"},
      {"adam:amsgrad=yes", "amsgrad"},
      {"adamw:lr=0", "lr"},
      {"adamw:beta2=1", "beta2"},
      {"adamw:weight_decay=-0.01", "weight_decay"},
      {"adamax:beta1=1", "beta1"},
      {"adamax:eps=0", "eps"},
      {"nadam:beta2=1", "beta2"},
      {"nadam:momentum_decay=-4e-3", "momentum_decay"},
      {"adam:clip=-1", "clip"},
      {"rmsprop:weight_decay=-1", "weight_decay"},
      {"rprop:eta_minus=1", "eta_minus"},
      {"rprop:eta_plus=0.9", "eta_plus"},
      {"rprop:step_min=2,step_max=1", "step_min"},
      {"prodigy:growth_rate=-1", "growth_rate"},
      {"prodigy:growth_rate=nan", "growth_rate"},
      {"prodigy:beta1=1", "beta1"},
      {"sfadamw:warmup_steps=-1", "warmup_steps"},
      {"sfsgd:momentum=1", "momentum"},
      {"lamb:beta2=1.5", "beta2"},
      {"lion:lr=inf", "lr"},
  };
  CHECK(usage_error("prodigy:growth_rate=inf").empty());
  CHECK(usage_error("prodigy:growth_rate=1.02").empty());
  for (const auto& [spec, key] : bad) {
    INFO(spec);
    CHECK_THAT(usage_error(spec), Catch::Contains("key '" + key + "'"));
  }
  // And every ranged key of every optimizer, one value past its boundary.
  for (const auto& e : optimizer_registry()) {
    int ranged = 0;
    for (const Key& k : e.keys) {
      std::string value;
      switch (k.range) {
        case Range::any:
          continue;
        case Range::positive:
          value = "0";
          break;
        case Range::nonnegative:
          value = "-1";
          break;
        case Range::unit_open:
          value = "1";
          break;
        case Range::unit_closed:
          value = "1.5";
          break;
        case Range::at_least_one:
        case Range::at_least_one_or_inf:
          value = "0.5";
          break;
      }
      const std::string base = base_spec(e);
      const std::string spec = base + (base == e.info.name ? ":" : ",") + k.name + "=" + value;
      INFO(spec);
      CHECK_THAT(usage_error(spec), Catch::Contains("key '" + k.name + "'"));
      ++ranged;
    }
    INFO(e.info.name);
    CHECK(ranged >= 2);                        // lr and clip at least
    CHECK(usage_error(base_spec(e)).empty());  // the defaults are in range
  }
}

TEST_CASE("adam amsgrad: two hand-computed steps, torch's maximum of the raw v", "[optimizers]") {
  // α = 0.1, β1 = 0.9, β2 = 0.5, ε = 1e-8, θ_0 = 1, g_1 = 2, g_2 = 0.1.
  // t = 1: m = 0.2, v = 2, v̂ = 2, corrections 0.1 and 0.5:
  //        θ_1 = 1 − (0.1/0.1) · 0.2 / (√2/√0.5 + ε) = 1 − 0.2 / (2 + ε)
  // t = 2: m = 0.19, v = 0.5·2 + 0.5·0.01 = 1.005, v̂ = max(2, 1.005) = 2, corrections 0.19, 0.75:
  //        θ_2 = θ_1 − (0.1/0.19) · 0.19 / (√2/√0.75 + ε) = θ_1 − 0.1 / (√(8/3) + ε)
  // optax's maximum of the corrected v would keep 2/0.5 = 4 > 1.005/0.75: θ_1 − 0.1 / (2 + ε).
  const double eps = 1e-8;
  for (const bool amsgrad : {true, false}) {
    auto o = make_optimizer<double>(
        parse_optimizer(std::string("adam:lr=0.1,beta1=0.9,beta2=0.5,amsgrad=") +
                        (amsgrad ? "1" : "0")),
        1);
    VecX x(1), g(1);
    x << 1;
    g << 2;
    o->step(x, g);
    const double x1 = 1 - 0.2 / (2 + eps);
    CHECK(x[0] == Approx(x1).epsilon(1e-14));
    g << 0.1;
    o->step(x, g);
    const double x2 = amsgrad ? x1 - 0.1 / (std::sqrt(8.0 / 3) + eps)
                              : x1 - 0.1 / (std::sqrt(1.005 / 0.75) + eps);
    CHECK(x[0] == Approx(x2).epsilon(1e-14));
    if (amsgrad) CHECK(std::abs(x[0] - (x1 - 0.1 / (2 + eps))) > 1e-3);  // not optax's form
  }
}

TEST_CASE("adam bias_correction=0: two hand-computed steps", "[optimizers]") {
  // α = 0.1, β1 = 0.9, β2 = 0.999, ε = 1e-8, θ_0 = 1, g_1 = 2, g_2 = −1; no corrections:
  // t = 1: m = 0.2, v = 0.004:                       θ_1 = 1 − 0.1 · 0.2 / (√0.004 + ε)
  // t = 2: m = 0.18 − 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996:
  //                                                  θ_2 = θ_1 − 0.1 · 0.08 / (√0.004996 + ε)
  const double eps = 1e-8;
  auto o = make_optimizer<double>(parse_optimizer("adam:lr=0.1,bias_correction=0"), 1);
  VecX x(1), g(1);
  x << 1;
  g << 2;
  o->step(x, g);
  const double x1 = 1 - 0.1 * 0.2 / (std::sqrt(0.004) + eps);
  CHECK(x[0] == Approx(x1).epsilon(1e-14));
  g << -1;
  o->step(x, g);
  CHECK(x[0] == Approx(x1 - 0.1 * 0.08 / (std::sqrt(0.004996) + eps)).epsilon(1e-14));
}

TEST_CASE("adamw: decoupled decay by the step's rate, two hand-computed steps", "[optimizers]") {
  // α = 0.1, λ = 0.5, β1 = 0.9, β2 = 0.999, ε = 1e-8, θ_0 = (1, −2), g_1 = (0.5, 0),
  // g_2 = (−0.25, 0), the second step at schedule factor ½ (α_2 = 0.05).
  // Coordinate 0, t = 1: θ' = (1 − 0.1·0.5) · 1 = 0.95, m = 0.05, v = 0.00025, corrections 0.1,
  //   0.001: θ_1 = 0.95 − (0.1/0.1) · 0.05 / (√0.00025/√0.001 + ε) = 0.95 − 0.05 / (0.5 + ε)
  // t = 2: θ' = (1 − 0.05·0.5) θ_1, m = 0.045 − 0.025 = 0.02,
  //   v = 0.999·0.00025 + 0.001·0.0625 = 0.00031225, corrections 0.19, 0.001999:
  //   θ_2 = 0.975 θ_1 − (0.05/0.19) · 0.02 / (√0.00031225/√0.001999 + ε)
  // Coordinate 1 has g = 0, so m = v = 0 and only the decay acts: θ_2 = −2 · 0.95 · 0.975.
  const double eps = 1e-8;
  auto o = make_optimizer<double>(parse_optimizer("adamw:lr=0.1,weight_decay=0.5"), 2);
  VecX x(2), g(2);
  x << 1, -2;
  g << 0.5, 0;
  o->step(x, g);
  const double x1 = 0.95 - 0.05 / (0.5 + eps);
  CHECK(x[0] == Approx(x1).epsilon(1e-14));
  CHECK(x[1] == Approx(-2 * 0.95).epsilon(1e-15));
  g << -0.25, 0;
  o->step(x, g, 0.5);
  const double x2 =
      0.975 * x1 - (0.05 / 0.19) * 0.02 / (std::sqrt(0.00031225) / std::sqrt(0.001999) + eps);
  CHECK(x[0] == Approx(x2).epsilon(1e-14));
  CHECK(x[1] == Approx(-2 * 0.95 * 0.975).epsilon(1e-15));
  // adamw's own `weight_decay` (torch's default 1e-2) replaces the registry's coupled one.
  const auto& keys = find_optimizer("adamw").keys;
  CHECK(std::count_if(keys.begin(), keys.end(), [](const Key& k) {
          return k.name == "weight_decay" && k.default_value == "1e-2";
        }) == 1);
  CHECK(std::count_if(keys.begin(), keys.end(),
                      [](const Key& k) { return k.name == "weight_decay"; }) == 1);
}

TEST_CASE("every optimizer runs in float and double and both agree", "[optimizers]") {
  for (const auto& spec : all_specs()) {
    // At ε = 1e-8 SOAP's first update divides by ε components that are 0 in exact arithmetic
    // (soap.hpp), so float and double differ there by design; soap:eps=1e-4 is compared.
    if (spec == "soap") continue;
    // Prodigy at its defaults grows d without limit and oscillates on this quadratic, where float
    // and double part after ~10 steps (sensitivity, not error); growth_rate=1.02 is compared.
    if (spec == "prodigy") continue;
    INFO(spec);
    const auto d = quadratic_iterates<double>(spec, 50);
    const auto f = quadratic_iterates<float>(spec, 50);
    const Vec<double> x0 = (Vec<double>(4) << 1, -0.5, 0.25, 2).finished();
    const Vec<double> lambda = (Vec<double>(4) << 1, 2, 3, 4).finished();
    auto loss = [&](const Vec<double>& x) { return 0.5 * x.dot(lambda.cwiseProduct(x)); };
    CHECK(d.back().allFinite());
    CHECK(loss(d.back()) < loss(x0));
    double worst = 0;
    for (std::size_t k = 0; k < d.size(); ++k)
      worst = std::max(worst, (f[k].template cast<double>() - d[k]).cwiseAbs().maxCoeff());
    CHECK(worst <= 1e-4);
  }
}

TEST_CASE("reset makes a second run identical to the first", "[optimizers]") {
  for (const auto& spec : all_specs()) {
    INFO(spec);
    const auto p = make_problem("rosenbrock", 0);
    auto o = make_optimizer<double>(parse_optimizer(spec), layout_for(spec, 2));
    std::vector<VecX> runs[2];
    for (auto& run : runs) {
      o->reset();
      VecX x = rosenbrock_start(), g(2);
      for (int k = 0; k < 30; ++k) {
        p->loss_grad(x, g);
        o->step(x, g, 1.0 / (1 + 0.1 * k));
        run.push_back(x);
      }
    }
    // Bit for bit, NaN included (sfsgd at lr = 1 diverges on rosenbrock).
    CHECK(std::equal(
        runs[0].begin(), runs[0].end(), runs[1].begin(), [](const VecX& a, const VecX& b) {
          return std::memcmp(a.data(), b.data(), sizeof(double) * std::size_t(a.size())) == 0;
        }));
    CHECK(runs[0].back() != rosenbrock_start());
  }
}

TEST_CASE("the schedule factor s is the same as the rate lr·s", "[optimizers]") {
  // torch semantics: a schedule changes the group's lr, and the update reads the current lr.
  for (const auto& spec : all_specs()) {
    INFO(spec);
    const Params params = parse_optimizer(spec);
    std::vector<std::string> keys;
    for (const auto& [k, v] : params.all())
      keys.push_back(k == "lr" ? fmt::format("lr={}", params.real("lr") * 0.25) : k + "=" + v);
    const std::string scaled = params.name() + ":" + fmt::format("{}", fmt::join(keys, ","));
    const auto a = iterates(spec, "rosenbrock", 30, [](int) { return 0.25; });
    const auto b = iterates(scaled, "rosenbrock", 30);
    CHECK(max_relative_difference(a, b) <= 1e-12);
  }
}

TEST_CASE("every optimizer updates each coordinate on its own", "[optimizers]") {
  // All the elementwise updates are diagonal, so a 1003-parameter step (vectorized loop bodies and
  // a scalar remainder) must equal 1003 one-parameter steps; only `clip` (of the whole gradient's
  // norm) is not.
  const Eigen::Index n = 1003;
  for (const auto& spec : all_specs()) {
    if (spec.find("clip") != std::string::npos) continue;
    if (find_optimizer(parse_spec(spec).name).info.blocks != BlockUse::none) continue;
    if (parse_spec(spec).name == "prodigy") continue;  // its estimate d sums over coordinates
    INFO(spec);
    const Params p = parse_optimizer(spec);
    VecX x = VecX::LinSpaced(n, -2, 3), g(n);
    auto whole = make_optimizer<double>(p, n);
    std::vector<std::unique_ptr<Optimizer<double>>> single;
    for (Eigen::Index i = 0; i < n; ++i) single.push_back(make_optimizer<double>(p, 1));
    VecX y = x;
    for (int k = 0; k < 5; ++k) {
      g = x.array().sin() + 0.5;
      whole->step(x, g, 0.9);
      for (Eigen::Index i = 0; i < n; ++i) {
        VecX yi = y.segment(i, 1), gi(1);
        gi[0] = std::sin(y[i]) + 0.5;
        single[std::size_t(i)]->step(yi, gi, 0.9);
        y[i] = yi[0];
      }
    }
    CHECK((x - y).cwiseAbs().maxCoeff() <= 1e-13);
    CHECK((x - VecX::LinSpaced(n, -2, 3)).cwiseAbs().minCoeff() > 0);
  }
}

TEST_CASE("matrix optimizers: bad input is a usage error, a failed eigendecomposition an error",
          "[optimizers]") {
  for (const std::string name : {"muon", "soap", "shampoo:lr=0.1,eps=1e-4"}) {
    INFO(name);
    // No matrix among the parameters: the message says how to give one.
    try {
      make_optimizer<double>(parse_optimizer(name), vector_layout(12));
      FAIL("no usage error");
    } catch (const UsageError& e) {
      CHECK_THAT(e.what(), Catch::Contains("shape=RxC"));
    }
    CHECK_NOTHROW(make_optimizer<double>(parse_optimizer(name), layout_for(name, 12)));
  }
  CHECK_THAT(usage_error("shampoo:lr=0.1"), Catch::Contains("key 'eps' is required"));
  CHECK_THAT(usage_error("adafactor"), Catch::Contains("key 'lr' is required"));
  CHECK_THROWS_WITH(
      make_optimizer<double>(parse_optimizer("soap:shampoo_beta=1"), layout_for("soap", 12)),
      Catch::Contains("'shampoo_beta' must be below 1"));
  // A gradient that is not finite makes the preconditioners' eigendecomposition fail: the step
  // throws (a sweep records the run as `error` with this message and goes on).
  for (const std::string name : {"soap", "shampoo:lr=0.1,eps=1e-4"}) {
    INFO(name);
    auto o = make_optimizer<double>(parse_optimizer(name), layout_for(name, 12));
    VecX x = VecX::Ones(12), g = VecX::Ones(12);
    g[3] = std::numeric_limits<double>::quiet_NaN();
    try {
      o->step(x, g);
      FAIL("no NumericalError");
    } catch (const NumericalError& e) {
      CHECK_THAT(e.what(), Catch::Contains("eigendecomposition") || Catch::Contains("non-finite"));
    }
  }
}

TEST_CASE("signsgd and signum: their equations, by hand", "[optimizers]") {
  // signsgd, η = 0.1, θ_0 = (1, −2, 3), g = (0.5, 0, −4): θ_1 = θ_0 − 0.1 · (1, 0, −1).
  auto sign = make_optimizer<double>(parse_optimizer("signsgd:lr=0.1"), 3);
  VecX x(3), g(3);
  x << 1, -2, 3;
  g << 0.5, 0, -4;
  sign->step(x, g);
  CHECK(x == (VecX(3) << 0.9, -2, 3.1).finished());
  sign->step(x, g, 0.5);  // the schedule's factor scales η
  CHECK(x == (VecX(3) << 0.9 - 0.05, -2, 3.1 + 0.05).finished());
  // signum, η = 0.1, β = 0.5, θ_0 = (1, 1), g_1 = (1, −1), g_2 = (−3, −1):
  //   m_1 = (0.5, −0.5) → θ_1 = (0.9, 1.1);  m_2 = (0.25 − 1.5, −0.25 − 0.5) = (−1.25, −0.75)
  //   → θ_2 = (1.0, 1.2). signsgd would follow g_2's sign as well here; at g_3 = (0.5, 0.5),
  //   m_3 = (−0.375, −0.125) keeps moving θ up where signsgd would move it down.
  auto signum = make_optimizer<double>(parse_optimizer("signum:lr=0.1,momentum=0.5"), 2);
  VecX y(2), h(2);
  y << 1, 1;
  h << 1, -1;
  signum->step(y, h);
  CHECK(y.isApprox((VecX(2) << 0.9, 1.1).finished(), 1e-15));
  h << -3, -1;
  signum->step(y, h);
  CHECK(y.isApprox((VecX(2) << 1.0, 1.2).finished(), 1e-15));
  h << 0.5, 0.5;
  signum->step(y, h);
  CHECK(y.isApprox((VecX(2) << 1.1, 1.3).finished(), 1e-15));
}

TEST_CASE("lamb: one trust ratio per block", "[optimizers]") {
  // Two blocks of a 6-vector step exactly as two lambs on the blocks alone; one block is not.
  const Params p = parse_optimizer("lamb:lr=0.1,weight_decay=0.01");
  const Layout two = {matrix_block("W", 0, 2, 2, 2), vector_block("b", 4, 2)};
  auto whole = make_optimizer<double>(p, two);
  auto first = make_optimizer<double>(p, Layout{matrix_block("W", 0, 2, 2, 2)});
  auto second = make_optimizer<double>(p, 2);
  auto joint = make_optimizer<double>(p, 6);
  VecX x = (VecX(6) << 1, -2, 0.5, 3, 0.1, -0.2).finished(), y = x, z = x;
  for (int k = 0; k < 3; ++k) {
    const VecX g = x.array().sin() + 0.3, h = y.array().sin() + 0.3, gz = z.array().sin() + 0.3;
    whole->step(x, g);
    VecX a = y.head(4), b = y.tail(2);
    first->step(a, h.head(4));
    second->step(b, h.tail(2));
    y << a, b;
    joint->step(z, gz);
  }
  CHECK((x - y).cwiseAbs().maxCoeff() <= 1e-15);
  CHECK((x - z).cwiseAbs().maxCoeff() > 1e-3);
  // With ‖θ_b‖ < 10 each block moves by η ‖θ_b‖, whatever the direction r.
  auto fresh = make_optimizer<double>(p, two);
  VecX u = (VecX(6) << 1, -2, 0.5, 3, 0.1, -0.2).finished(), u0 = u;
  const VecX g = u.array().sin() + 0.3;
  fresh->step(u, g);
  CHECK((u - u0).head(4).norm() == Approx(0.1 * u0.head(4).norm()).epsilon(1e-12));
  CHECK((u - u0).tail(2).norm() == Approx(0.1 * u0.tail(2).norm()).epsilon(1e-12));
}
