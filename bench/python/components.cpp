#include "bench/python/components.hpp"

#include <fmt/format.h>
#include <pybind11/numpy.h>

#include <atomic>
#include <memory>
#include <optional>

#include "lib/optimizer_registry.hpp"
#include "problems/registry.hpp"

namespace py = pybind11;

namespace descent::python {
namespace {

std::atomic<int> g_busy{0};

void check_not_busy(const std::string& what, const std::string& name) {
  if (g_busy.load() > 0)
    throw UsageError(
        fmt::format("{} '{}': cannot register while a run or sweep is going", what, name));
}

// A registry entry outlives the interpreter (the registries are static), so the class it builds
// from is kept by a strong reference that is never dropped: no Python object is released after
// Python has finalized.
PyObject* keep(py::object cls) { return cls.release().ptr(); }

std::string class_name(py::handle cls) {
  return fmt::format("{}.{}", py::str(cls.attr("__module__")).cast<std::string>(),
                     py::str(cls.attr("__qualname__")).cast<std::string>());
}

Range parse_range(const std::string& name, const std::string& key) {
  static const std::vector<std::pair<std::string, Range>> kRanges = {
      {"any", Range::any},
      {"positive", Range::positive},
      {"nonnegative", Range::nonnegative},
      {"unit_open", Range::unit_open},
      {"unit_closed", Range::unit_closed},
      {"at_least_one", Range::at_least_one},
      {"at_least_one_or_inf", Range::at_least_one_or_inf}};
  for (const auto& [n, r] : kRanges)
    if (n == name) return r;
  throw UsageError(
      fmt::format("key '{}': unknown range '{}' (any, positive, nonnegative, "
                  "unit_open, unit_closed, at_least_one, at_least_one_or_inf)",
                  key, name));
}

Key to_key(const KeyDecl& d) {
  Key k;
  if (d.kind == "real")
    k = real_key(d.name, d.default_value, d.help, parse_range(d.range, d.name));
  else if (d.kind == "integer")
    k = int_key(d.name, d.default_value, d.help, parse_range(d.range, d.name));
  else if (d.kind == "flag")
    k = flag_key(d.name, d.default_value, d.help);
  else if (d.kind == "choice")
    k = choice_key(d.name, d.default_value, d.help, d.choices);
  else if (d.kind == "text")
    k = text_key(d.name, d.default_value, d.help);
  else
    throw UsageError(fmt::format("key '{}': unknown kind '{}'", d.name, d.kind));
  k.required = d.default_value.empty();
  return k;
}

std::vector<Key> to_keys(const std::vector<KeyDecl>& decls) {
  std::vector<Key> keys;
  for (const KeyDecl& d : decls) keys.push_back(to_key(d));
  return keys;
}

// The component's own keys of a spec, as keyword arguments of its constructor.
py::dict keyword_arguments(const Params& p, const std::vector<Key>& keys) {
  py::dict kw;
  for (const Key& k : keys) {
    if (!p.has(k.name)) continue;
    const char* name = k.name.c_str();
    switch (k.kind) {
      case Kind::real:
        kw[name] = p.real(k.name);
        break;
      case Kind::integer:
        kw[name] = p.integer(k.name);
        break;
      case Kind::flag:
        kw[name] = p.flag(k.name);
        break;
      default:
        kw[name] = p.text(k.name);
    }
  }
  return kw;
}

// A numpy array over n doubles at `data`, without a copy; the capsule is only its owner of
// record (the memory is descent's, alive for the call it is passed to).
py::array view(const double* data, Index n, bool writeable) {
  py::capsule owner(data, [](void*) {});
  py::array a(py::dtype::of<double>(), {n}, {sizeof(double)}, data, owner);
  if (!writeable)
    py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
}

// One cached view per buffer: the run loop steps on the same vectors every time, so a step
// builds no new array (each costs a few hundred nanoseconds).
class Views {
 public:
  explicit Views(bool writeable) : writeable_(writeable) {}
  const py::array& of(const double* data, Index n) {
    if (data != data_ || n != n_) {
      array_ = view(data, n, writeable_);
      data_ = data;
      n_ = n;
    }
    return array_;
  }
  void clear() { array_ = py::array(); }

 private:
  bool writeable_;
  const double* data_ = nullptr;
  Index n_ = 0;
  py::array array_;
};

// ---- optimizers ---------------------------------------------------------------------------

class PythonOptimizer final : public Optimizer<double> {
 public:
  PythonOptimizer(py::object instance, GradientTransform pre, Index n)
      : instance_(std::move(instance)), pre_(pre), x_(true), g_(false) {
    step_ = instance_.attr("step");
    if (py::hasattr(instance_, "reset")) reset_ = instance_.attr("reset");
    if (pre_.active()) buffer_.resize(n);
  }
  ~PythonOptimizer() override {
    py::gil_scoped_acquire gil;  // the members below are Python objects
    x_.clear();
    g_.clear();
    step_ = py::object();
    reset_ = py::object();
    instance_ = py::object();
  }

  void step(VecRef<double> x, CVecRef<double> g, double lr_scale) override {
    py::gil_scoped_acquire gil;
    const double* gp = g.data();
    if (pre_.active()) [[unlikely]] {
      buffer_ = g;
      pre_.apply<double>(x, buffer_);
      gp = buffer_.data();
    }
    try {
      const py::object r = step_(x_.of(x.data(), x.size()), g_.of(gp, g.size()), lr_scale);
      if (!r.is_none()) [[unlikely]]
        throw PythonError(fmt::format(
            "step() returned {} instead of None: it must update x in place (x[:] = ...)",
            py::str(py::type::of(r).attr("__name__")).cast<std::string>()));
    } catch (py::error_already_set& e) {
      throw PythonError(one_line(e));
    }
  }

  void reset() override {
    py::gil_scoped_acquire gil;
    if (!reset_) return;
    try {
      reset_();
    } catch (py::error_already_set& e) {
      throw PythonError(one_line(e));
    }
  }

 private:
  py::object instance_, step_, reset_;
  GradientTransform pre_;
  Views x_, g_;
  VecX buffer_;
};

// ---- problems -----------------------------------------------------------------------------

class PythonProblem final : public Problem {
 public:
  explicit PythonProblem(py::object instance) : instance_(std::move(instance)), x_(false) {
    n_ = instance_.attr("dim").cast<Index>();
    if (n_ < 1) throw UsageError(fmt::format("dim = {}: must be at least 1", n_));
    loss_grad_ = instance_.attr("loss_grad");
    if (py::hasattr(instance_, "initial_point")) initial_ = instance_.attr("initial_point");
    if (py::hasattr(instance_, "optimum")) {
      py::object f = instance_.attr("optimum");
      if (PyCallable_Check(f.ptr())) f = f();
      if (!f.is_none()) optimum_ = f.cast<double>();
    }
  }
  ~PythonProblem() override {
    py::gil_scoped_acquire gil;
    x_.clear();
    loss_grad_ = py::object();
    initial_ = py::object();
    instance_ = py::object();
  }

  Index dim() const override { return n_; }
  std::optional<double> optimum() const override { return optimum_; }

  VecX initial_point(std::uint64_t seed) const override {
    py::gil_scoped_acquire gil;
    try {
      const py::object x0 = initial_ ? initial_(seed) : instance_.attr("x0");
      return to_vector(x0, "the initial point");
    } catch (py::error_already_set& e) {
      throw PythonError(one_line(e));
    }
  }

  double loss_grad(VecIn x, VecOut g) const override {
    py::gil_scoped_acquire gil;
    try {
      const py::tuple r = loss_grad_(x_.of(x.data(), x.size()));
      if (r.size() != 2) throw PythonError("loss_grad(x) must return (f, g)");
      g = to_vector(r[1], "the gradient");
      return r[0].cast<double>();
    } catch (py::error_already_set& e) {
      throw PythonError(one_line(e));
    } catch (const py::builtin_exception& e) {  // not a tuple, or f not a number
      throw PythonError(fmt::format("loss_grad(x) must return (float, array): {}", e.what()));
    }
  }

 private:
  VecX to_vector(py::handle v, const char* what) const {
    const auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(v);
    if (!a || a.ndim() != 1 || a.shape(0) != n_)
      throw PythonError(fmt::format("{} must be an array of shape ({},), not {}", what, n_,
                                    py::repr(v).cast<std::string>().substr(0, 60)));
    return Eigen::Map<const VecX>(a.data(), n_);
  }

  py::object instance_, loss_grad_, initial_;
  Index n_ = 0;
  std::optional<double> optimum_;
  mutable Views x_;  // under the GIL
};

}  // namespace

std::string one_line(py::error_already_set& e) {
  std::string text = py::str(e.type().attr("__name__")).cast<std::string>();
  const std::string message = py::str(e.value()).cast<std::string>();
  if (!message.empty()) text += ": " + message;
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return text;
}

Busy::Busy() { ++g_busy; }
Busy::~Busy() { --g_busy; }

void register_python_optimizer(const std::string& name, py::object cls,
                               const std::vector<KeyDecl>& decls, const std::string& summary,
                               const std::string& equations) {
  check_not_busy("optimizer", name);
  const std::vector<Key> own = to_keys(decls);
  OptimizerEntry e;
  e.info.name = name;
  e.info.summary = summary;
  e.info.equations = equations;
  e.info.reference = "Python class " + class_name(cls);
  e.keys = with_keys({own, keys_of(GradientTransform::fields(false))});
  e.check = [](const Params&) {};
  PyObject* held = keep(std::move(cls));
  e.make_double = [own, held](const Params& p, const Layout& l) {
    const Index n = layout_dim(l);
    py::gil_scoped_acquire gil;
    try {
      py::object instance = py::handle(held)(n, **keyword_arguments(p, own));
      return std::unique_ptr<Optimizer<double>>(std::make_unique<PythonOptimizer>(
          std::move(instance), GradientTransform::read(p, false), n));
    } catch (py::error_already_set& err) {
      throw PythonError(one_line(err));
    }
  };
  // No make_float: a Python optimizer steps in double only.
  set_registrant("Python");
  try {
    register_optimizer(std::move(e));
  } catch (...) {
    set_registrant("the program");
    throw;
  }
  set_registrant("the program");
}

void register_python_problem(const std::string& name, py::object cls,
                             const std::vector<KeyDecl>& decls, const std::string& summary,
                             const std::string& definition) {
  check_not_busy("problem", name);
  ProblemEntry e;
  e.info = {name, summary, definition + " (Python class " + class_name(cls) + ")", to_keys(decls)};
  PyObject* held = keep(std::move(cls));
  e.make = [keys = e.info.keys, held](const Params& p, std::uint64_t seed) {
    py::gil_scoped_acquire gil;
    try {
      py::object instance =
          py::handle(held)(derive_seed(seed, kInstance), **keyword_arguments(p, keys));
      auto problem = std::make_unique<PythonProblem>(std::move(instance));
      problem->set_spec(p.canonical());
      return std::unique_ptr<Problem>(std::move(problem));
    } catch (py::error_already_set& err) {
      throw PythonError(one_line(err));
    }
  };
  set_registrant("Python");
  try {
    register_problem(std::move(e));
  } catch (...) {
    set_registrant("the program");
    throw;
  }
  set_registrant("the program");
}

}  // namespace descent::python
