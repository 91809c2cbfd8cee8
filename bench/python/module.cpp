// The extension module `descent._descent`: runs, sweeps, the registries and problem instances
// for Python. The pure-Python package (bench/python/descent/__init__.py) wraps it and turns its
// columns into pandas DataFrames.
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <csignal>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "bench/python/components.hpp"
#include "lib/harness/budget.hpp"
#include "lib/harness/columns.hpp"
#include "lib/harness/outputs.hpp"
#include "lib/harness/run_specs.hpp"
#include "lib/harness/sweep.hpp"
#include "lib/limits.hpp"
#include "lib/optimizer_registry.hpp"
#include "lib/schedule.hpp"
#include "lib/trace_csv.hpp"
#include "problems/classifier.hpp"
#include "problems/registry.hpp"

namespace py = pybind11;

namespace descent::python {
namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

VecX to_point(const Array& a, Index n, const char* what) {
  if (a.ndim() != 1 || a.shape(0) != n)
    throw UsageError(fmt::format("{}: expected {} values, got shape ({})", what, n,
                                 a.ndim() == 1 ? std::to_string(a.shape(0)) : "not 1-D"));
  return Eigen::Map<const VecX>(a.data(), n);
}

py::array to_numpy(const VecX& v) { return py::array_t<double>(v.size(), v.data()); }

py::object optional_number(std::optional<double> v) {
  return v ? py::object(py::float_(*v)) : py::object(py::none());
}

// ---- run ----------------------------------------------------------------------------------

struct RunRequest {
  std::string problem, optimizer, schedule;
  std::optional<long> iters;
  std::optional<double> epochs;
  long batch = 0, log_every = 1;
  std::string seed;
  std::optional<Array> x0;
  bool trace_x = false;
  std::string dtype = "float64";
};

// The checks of `descent run` (bench/cli/cmd_run.cpp), with its messages.
RunSettings settings_for(const RunRequest& a, const Problem& problem, std::uint64_t seed) {
  if (a.iters && a.epochs) throw UsageError("--epochs excludes --iters");
  if (a.iters && *a.iters < 1)
    throw UsageError(fmt::format("--iters {}: must be at least 1", *a.iters));
  if (a.iters && *a.iters > limits::steps)
    throw UsageError(
        fmt::format("--iters {}: at most {} (limit 'steps')", *a.iters, limits::steps));
  if (a.epochs && !(*a.epochs > 0))
    throw UsageError(fmt::format("--epochs {:g}: must be positive", *a.epochs));
  if (a.epochs && *a.epochs > limits::epochs)
    throw UsageError(
        fmt::format("--epochs {:g}: at most {:g} (limit 'epochs')", *a.epochs, limits::epochs));
  if (a.batch < 0) throw UsageError(fmt::format("--batch {}: must be at least 1", a.batch));
  if (a.log_every < 1)
    throw UsageError(fmt::format("--log-every {}: must be at least 1", a.log_every));
  RunSettings s;
  s.budget = a.epochs ? Budget{0, *a.epochs} : Budget{a.iters.value_or(1000), 0};
  s.batch = a.batch;
  s.seed = seed;
  s.log.every = a.log_every;
  if (a.x0) s.x0 = to_point(*a.x0, problem.dim(), "--x0");
  if (a.batch > 0 && problem.samples() == 0)
    throw UsageError(fmt::format("--batch: problem '{}' has no data samples", problem.spec()));
  if (a.trace_x && problem.dim() > 3)
    throw UsageError(fmt::format("--trace-x: problem '{}' has dimension {} (at most 3)",
                                 problem.spec(), problem.dim()));
  s.record_x = a.trace_x;
  return s;
}

// A cell of runs.csv as Python: None for an empty cell, int for a count, float for another
// result, str for the rest.
py::object cell(const RunColumn& c, const std::string& text) {
  if (text.empty()) return py::none();
  if (c.integer) return py::int_(py::str(text));
  if (c.role == RunColumn::Role::result) return py::float_(std::strtod(text.c_str(), nullptr));
  return py::str(text);
}

// The run's row of runs.csv (lib/harness/columns.cpp), as a sweep of this one run would write
// it, without the columns that only a sweep has (run_id, search, rep, hp_<key>).
py::dict summary_dict(const SpecRun& spec, const RunSettings& settings, const RunResult& r) {
  const Problem& p = spec.problem();
  const RunSpec run{.run_id = 0,
                    .problem = p.spec(),
                    .label = spec.optimizer().name(),
                    .config = spec.optimizer().canonical(),
                    .schedule = spec.schedule().spec(),
                    .batch = settings.batch,
                    .dtype = spec.dtype(),
                    .rep = 0,
                    .seed = settings.seed,
                    .hp = {}};
  const std::string no_message;
  const Ran ran{run, r, r.summary.status, no_message, p.optimum()};
  py::dict d;
  for (const RunColumn& c : run_columns()) {
    if (c.role == RunColumn::Role::hyperparameters || c.name == "run_id" || c.name == "search" ||
        c.name == "rep")
      continue;
    d[c.name.c_str()] = cell(c, c.value(ran));
  }
  return d;
}

// The trace as columns (name -> float array), the columns `descent run --trace` writes.
py::dict trace_columns_dict(const Problem& p, const RunResult& r) {
  py::dict d;
  const auto fstar = p.optimum();
  for (const TraceColumn* c : trace_columns_of(p)) {
    std::vector<double> values;
    values.reserve(r.trace.size());
    for (const TracePoint& t : r.trace) {
      const std::string text = c->value(t, fstar);
      values.push_back(text.empty() ? std::nan("") : std::strtod(text.c_str(), nullptr));
    }
    d[c->name.c_str()] = py::array_t<double>(values.size(), values.data());
  }
  if (!r.xs.empty())
    for (Index i = 0; i < p.dim(); ++i) {
      std::vector<double> values;
      for (const VecX& x : r.xs) values.push_back(x(i));
      d[fmt::format("x{}", i).c_str()] = py::array_t<double>(values.size(), values.data());
    }
  return d;
}

py::tuple run(const RunRequest& a) {
  const std::uint64_t seed = to_seed(a.seed, "--seed");
  SpecRun spec(a.problem, a.optimizer, a.schedule, seed, dtype_option(a.dtype));
  const RunSettings settings = settings_for(a, spec.problem(), seed);
  RunResult result;
  {
    Busy busy;
    py::gil_scoped_release release;  // a Python optimizer or problem takes it back per call
    result = spec.run(settings);
  }
  return py::make_tuple(summary_dict(spec, settings, result),
                        trace_columns_dict(spec.problem(), result), to_numpy(result.x));
}

// ---- sweep --------------------------------------------------------------------------------

// Ctrl-C during a sweep stops it after the runs in flight, as in `descent sweep`, and then raises
// KeyboardInterrupt. Python's own handler would only set a flag, which nothing reads while the
// GIL is released, or raise inside a Python optimizer's step and end just that run.
extern "C" void on_interrupt(int) { request_stop(); }
struct StopOnInterrupt {  // on_interrupt handles SIGINT while it lives
  StopOnInterrupt() : previous(std::signal(SIGINT, on_interrupt)) {}
  ~StopOnInterrupt() { std::signal(SIGINT, previous); }
  StopOnInterrupt(const StopOnInterrupt&) = delete;
  StopOnInterrupt& operator=(const StopOnInterrupt&) = delete;
  void (*previous)(int);
};

py::dict sweep(const std::string& path, int threads, const std::string& out, bool resume,
               const std::string& shard, int seeds, bool quiet, bool force, bool dry_run) {
  SweepOptions o;
  if (!shard.empty()) std::tie(o.shard, o.shards) = parse_shard(shard);
  if (threads < 0 || threads > int(limits::threads))
    throw UsageError(
        fmt::format("--threads {}: expected 1 to {} (0: all)", threads, limits::threads));
  Experiment e = load_experiment(path);
  if (seeds > 0) e = with_seeds(e, seeds);
  o.threads = threads;
  o.out = out;
  o.resume = resume;
  o.quiet = quiet;
  o.force = force;
  o.dry_run = dry_run;
  SweepOutcome r;
  {
    Busy busy;
    StopOnInterrupt stop;
    py::gil_scoped_release release;
    r = run_sweep(e, o);
  }
  if (r.interrupted && !dry_run) {
    PyErr_SetString(PyExc_KeyboardInterrupt,
                    fmt::format("interrupted: {} of {} runs finished are kept in {}; continue "
                                "with resume=True",
                                r.ran + r.skipped, r.total, r.dir.string())
                        .c_str());
    throw py::error_already_set();
  }
  py::dict d;
  d["dir"] = r.dir.string();
  d["name"] = e.name;
  for (const auto& [key, value] : {std::pair{"total", r.total},
                                   {"skipped", r.skipped},
                                   {"ran", r.ran},
                                   {"ok", r.ok},
                                   {"diverged", r.diverged},
                                   {"errors", r.errors}})
    d[key] = value;
  d["interrupted"] = r.interrupted;
  return d;
}

// ---- list ---------------------------------------------------------------------------------

py::list keys_list(const std::vector<Key>& keys) {
  py::list out;
  for (const Key& k : keys) {
    py::dict d;
    d["name"] = k.name;
    d["default"] =
        k.default_value.empty() ? py::object(py::none()) : py::object(py::str(k.default_value));
    d["required"] = k.required;
    d["help"] = k.help;
    d["range"] = describe(k.range);
    d["choices"] = k.choices;
    out.append(d);
  }
  return out;
}

py::list list_rows(const std::string& what) {
  py::list rows;
  auto row = [&rows](std::initializer_list<std::pair<const char*, py::object>> cells) {
    py::dict d;
    for (const auto& [k, v] : cells) d[k] = v;
    rows.append(d);
  };
  using py::cast;
  if (what == "optimizers") {
    for (const auto* all : {&optimizer_registry(), &oracle_optimizer_registry()})
      for (const auto& e : *all)
        row({{"name", cast(e.info.name)},
             {"summary", cast(e.info.summary)},
             {"update", cast(e.info.equations)},
             {"reference", cast(e.info.reference)},
             {"keys", keys_list(e.keys)},
             {"origin", cast(e.origin)}});
  } else if (what == "flavors") {
    for (const auto& e : optimizer_registry())
      for (const Flavor& f : e.info.flavors)
        row({{"optimizer", cast(e.info.name)},
             {"flavor", cast(f.name)},
             {"sets", cast(f.sets)},
             {"note", cast(f.note)}});
  } else if (what == "problems") {
    for (const auto& e : problem_registry())
      row({{"name", cast(e.info.name)},
           {"summary", cast(e.info.summary)},
           {"definition", cast(e.info.definition)},
           {"keys", keys_list(e.info.keys)},
           {"origin", cast(e.origin)}});
  } else if (what == "schedules") {
    for (const auto& s : schedule_registry())
      row({{"name", cast(s.name)}, {"summary", cast(s.summary)}, {"keys", keys_list(s.keys)}});
  } else if (what == "columns") {
    for (const RunColumn& c : run_columns())
      row({{"file", cast("runs.csv")}, {"name", cast(c.name)}, {"help", cast(c.help)}});
    for (const TraceColumn& c : trace_columns())
      row({{"file", cast("traces.csv")}, {"name", cast(c.name)}, {"help", cast(c.help)}});
    for (const BudgetColumn& c : budget_columns())
      row({{"file", cast("budget.csv")}, {"name", cast(c.name)}, {"help", cast(c.help)}});
  } else if (what == "limits") {
    for (const Limit& l : all_limits())
      row({{"name", cast(l.name)}, {"value", cast(l.value)}, {"what", cast(l.what)}});
  } else if (what == "outputs") {
    for (const OutputFile& f : sweep_outputs())
      row({{"name", cast(f.name)}, {"what", cast(f.what)}});
  } else {
    throw UsageError(fmt::format(
        "list: '{}' is not one of optimizers, flavors, problems, schedules, columns, outputs, "
        "limits",
        what));
  }
  return rows;
}

// ---- problem instances --------------------------------------------------------------------

class ProblemHandle {
 public:
  ProblemHandle(const std::string& spec, const std::string& seed)
      : seed_(to_seed(seed, "--seed")), p_(make_problem(spec, seed_)) {}

  Index dim() const { return p_->dim(); }
  Index samples() const { return p_->samples(); }
  const std::string& spec() const { return p_->spec(); }
  py::object optimum() const { return optional_number(p_->optimum()); }
  py::array x0() const { return to_numpy(p_->initial_point(seed_)); }

  py::tuple loss_grad(const Array& x) const {
    const VecX at = to_point(x, dim(), "x");
    VecX g(dim());
    const double f = p_->loss_grad(at, g);
    return py::make_tuple(f, to_numpy(g));
  }

  py::tuple loss_grad_batch(
      const Array& x,
      const py::array_t<Index, py::array::c_style | py::array::forcecast>& idx) const {
    if (samples() == 0) throw UsageError(fmt::format("problem '{}' has no data samples", spec()));
    if (idx.ndim() != 1 || idx.shape(0) == 0)
      throw UsageError("indices: expected a non-empty 1-D array");
    std::vector<Index> batch(idx.data(), idx.data() + idx.shape(0));
    for (Index i : batch)
      if (i < 0 || i >= samples())
        throw UsageError(fmt::format("indices: {} is not a sample (0 to {})", i, samples() - 1));
    const VecX at = to_point(x, dim(), "x");
    VecX g(dim());
    const double f = p_->loss_grad_batch(at, batch, g);
    return py::make_tuple(f, to_numpy(g));
  }

  py::list layout() const {
    py::list out;
    for (const Block& b : p_->layout()) {
      py::dict d;
      d["name"] = b.name;
      d["offset"] = b.offset;
      d["rows"] = b.rows;
      d["cols"] = b.cols;
      d["stride"] = b.stride;
      d["matrix"] = b.matrix;
      out.append(d);
    }
    return out;
  }

  // A classification problem's data as its model sees it (split and standardized): {"train":
  // (X, y), "test": (X, y)} with X samples × features and y the class indices; None for the
  // others. So that another framework can evaluate exactly this instance's loss.
  py::object data() const {
    const auto* c = dynamic_cast<const Classifier*>(p_.get());
    if (!c) return py::none();
    auto part = [](const Dataset& t) {
      py::array_t<double> x({t.rows(), t.features()});
      Eigen::Map<RowMat>(x.mutable_data(), t.rows(), t.features()) = t.x;
      py::array_t<int> y(t.rows(), t.y.data());
      return py::make_tuple(x, y);
    };
    py::dict d;
    d["train"] = part(c->data().train);
    d["test"] = part(c->data().test);
    return d;
  }

  py::object test_metrics(const Array& x) const {
    if (!p_->has_test_set()) return py::none();
    const auto m = p_->test_metrics(to_point(x, dim(), "x"));
    return py::make_tuple(m.loss, m.accuracy);
  }

 private:
  std::uint64_t seed_;
  std::unique_ptr<Problem> p_;
};

std::vector<KeyDecl> key_decls(const py::list& keys) {
  std::vector<KeyDecl> out;
  for (const py::handle k : keys) {
    const auto t = k.cast<py::tuple>();
    out.push_back({t[0].cast<std::string>(), t[1].cast<std::string>(), t[2].cast<std::string>(),
                   t[3].cast<std::string>(), t[4].cast<std::string>(),
                   t[5].cast<std::vector<std::string>>()});
  }
  return out;
}

}  // namespace
}  // namespace descent::python

PYBIND11_MODULE(_descent, m) {
  using namespace descent;
  using namespace descent::python;
  m.doc() = "descent's run loop, sweeps and registries (use the package `descent`)";

  // UsageError and IoError keep the CLI's one-line message; so does a run that fails.
  static py::exception<UsageError> usage(m, "UsageError", PyExc_ValueError);
  static py::exception<IoError> io(m, "IoError", PyExc_OSError);
  static py::exception<NumericalError> run_error(m, "RunError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const UsageError& e) {
      usage(e.what());
    } catch (const IoError& e) {
      io(e.what());
    } catch (const NumericalError& e) {
      run_error(fmt::format("run failed: {}", e.what()).c_str());
    } catch (const PythonError& e) {
      run_error(fmt::format("run failed: {}", e.what()).c_str());
    }
  });

  m.def(
      "run",
      [](const std::string& problem, const std::string& optimizer, const std::string& schedule,
         std::optional<long> iters, std::optional<double> epochs, long batch,
         const std::string& seed, std::optional<Array> x0, long log_every, bool trace_x,
         const std::string& dtype) {
        return descent::python::run({problem, optimizer, schedule, iters, epochs, batch, log_every,
                                     seed, x0, trace_x, dtype});
      },
      py::arg("problem"), py::arg("optimizer"), py::arg("schedule"), py::arg("iters"),
      py::arg("epochs"), py::arg("batch"), py::arg("seed"), py::arg("x0"), py::arg("log_every"),
      py::arg("trace_x"), py::arg("dtype"));
  m.def("sweep", &sweep, py::arg("path"), py::arg("threads"), py::arg("out"), py::arg("resume"),
        py::arg("shard"), py::arg("seeds"), py::arg("quiet"), py::arg("force"), py::arg("dry_run"));
  m.def("list_rows", &list_rows, py::arg("what"));
  m.def("register_optimizer", [](const std::string& name, py::object cls, const py::list& keys,
                                 const std::string& summary, const std::string& equations) {
    register_python_optimizer(name, std::move(cls), key_decls(keys), summary, equations);
  });
  m.def("register_problem", [](const std::string& name, py::object cls, const py::list& keys,
                               const std::string& summary, const std::string& definition) {
    register_python_problem(name, std::move(cls), key_decls(keys), summary, definition);
  });

  py::class_<ProblemHandle>(m, "Problem")
      .def(py::init<const std::string&, const std::string&>(), py::arg("spec"), py::arg("seed"))
      .def_property_readonly("dim", &ProblemHandle::dim)
      .def_property_readonly("samples", &ProblemHandle::samples)
      .def_property_readonly("spec", &ProblemHandle::spec)
      .def_property_readonly("optimum", &ProblemHandle::optimum)
      .def_property_readonly("x0", &ProblemHandle::x0)
      .def_property_readonly("layout", &ProblemHandle::layout)
      .def_property_readonly("data", &ProblemHandle::data)
      .def("loss_grad", &ProblemHandle::loss_grad, py::arg("x"))
      .def("loss_grad_batch", &ProblemHandle::loss_grad_batch, py::arg("x"), py::arg("indices"))
      .def("test_metrics", &ProblemHandle::test_metrics, py::arg("x"));
}
