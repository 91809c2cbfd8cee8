// Optimizers and problems written in Python, registered into descent's registries so that
// descent.run, descent.sweep and descent.list see them beside the built-in ones.
//
// A sweep runs on OpenMP threads without the GIL; every call into Python (a step, a loss, a
// constructor, a destructor) takes the GIL first. Python components are therefore serialized on
// the interpreter (their runs stay independent, so a sweep's results do not depend on
// `threads`), while built-in components on other threads run in parallel.
#pragma once

#include <pybind11/pybind11.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "lib/spec.hpp"

namespace descent::python {

// A Python exception raised inside a run, as one line: "ValueError: the message". The sweep
// records it in runs.csv's message column; descent.run raises it as descent.RunError.
struct PythonError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The one-line text of the Python error `e` holds (call with the GIL held).
std::string one_line(pybind11::error_already_set& e);

// A key a Python component declares: what the pure-Python side normalizes each entry of
// `keys={...}` into.
struct KeyDecl {
  std::string name, kind, default_value, help, range;
  std::vector<std::string> choices;
};

// `cls(dim, **hyperparameters)` is built per run; its step(x, g, lr_scale) updates x in place.
void register_python_optimizer(const std::string& name, pybind11::object cls,
                               const std::vector<KeyDecl>& keys, const std::string& summary,
                               const std::string& equations);
// `cls(instance_seed, **keys)` is built per problem instance; it has dim, x0 or
// initial_point(seed), loss_grad(x) -> (f, g) and optionally optimum.
void register_python_problem(const std::string& name, pybind11::object cls,
                             const std::vector<KeyDecl>& keys, const std::string& summary,
                             const std::string& definition);

// While a sweep or a run is going, registering is refused (the registries are not locked).
struct Busy {
  Busy();
  ~Busy();
  Busy(const Busy&) = delete;
  Busy& operator=(const Busy&) = delete;
};

}  // namespace descent::python
