// Every optimizer by name. Adding one: write lib/optimizers/<name>.hpp and add its line to the
// right table: lib/optimizers/table.hpp (first-order), or optimizer_registry.cpp (oracle methods
// in double). An outside
// project or a plugin (lib/plugin.hpp) adds its own with
// `register_optimizer(optimizer_entry<MyOptimizer>())`.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/optimizer.hpp"

namespace descent {

struct OptimizerEntry {
  OptimizerInfo info;
  std::vector<Key> keys;  // the optimizer's own keys, then `clip` and `weight_decay`
  std::function<std::unique_ptr<Optimizer<double>>(const Params&, const Layout&)> make_double;
  // Empty for an optimizer without a float path (float32 runs): oracle and Python ones.
  std::function<std::unique_ptr<Optimizer<float>>(const Params&, const Layout&)> make_float;
  // Rejects combinations of keys that each key alone allows (Config::check()).
  std::function<void(const Params&)> check;
  std::string origin = "built in";  // or who registered it (registrant())
};

// Who registers entries now, which they keep as their origin: "the program", or the plugin whose
// registration function runs (set by the plugin loader).
void set_registrant(std::string who);
const std::string& registrant();

// The first-order optimizers: any scalar type, a step from the gradient alone; the built-in
// ones, then those registered.
const std::vector<OptimizerEntry>& optimizer_registry();
// Adds a first-order optimizer; a UsageError when its name is taken. Registration happens before
// anything runs (the registry is not locked, and a reference from find_optimizer does not
// survive it).
void register_optimizer(OptimizerEntry e);
// Line-search and second-order methods (lbfgs, cg, newton): double only, with an Oracle.
const std::vector<OptimizerEntry>& oracle_optimizer_registry();
const OptimizerEntry& find_optimizer(std::string_view name);  // throws UsageError
// Whether the bare name makes an optimizer that steps on one plain vector: not matrix-only and
// no key a spec must give (adafactor's lr). BM_Step and the step workloads time these.
bool steps_at_defaults_on_a_vector(const OptimizerEntry& e);

// Whether the optimizer steps in float (dtype float32), and the message when it does not.
bool has_float(const OptimizerEntry& e);
std::string no_float(const OptimizerEntry& e);

// Whether the optimizer has flavors (`flavor=`), and the message for using one where it has none.
bool has_flavors(const OptimizerEntry& e);
std::string no_flavors(const OptimizerEntry& e);

// The key `flavor` first, and each flavor's values as defaults of the keys it sets; a
// std::logic_error when a flavor names a key the optimizer lacks.
void add_flavors(OptimizerEntry& e);

// The entry of a first-order optimizer, as the built-in table makes it: O<T> has a Config, a
// static info() and step()/reset() (lib/optimizer.hpp); the keys are its Config's, then `clip`
// and, unless it has its own, `weight_decay`.
template <template <class> class O>
OptimizerEntry optimizer_entry() {
  OptimizerEntry e{O<double>::info(), {}, {}, {}, {}, "built in"};
  e.check = [](const Params& p) { (void)read_config<typename O<double>::Config>(p); };
  const bool own = e.info.own_weight_decay;
  e.keys =
      with_keys({keys_of<typename O<double>::Config>(), keys_of(GradientTransform::fields(own))});
  add_flavors(e);
  e.make_double = [own](const Params& p, const Layout& l) -> std::unique_ptr<Optimizer<double>> {
    return std::make_unique<Erased<O, double>>(p, GradientTransform::read(p, own), l);
  };
  e.make_float = [own](const Params& p, const Layout& l) -> std::unique_ptr<Optimizer<float>> {
    return std::make_unique<Erased<O, float>>(p, GradientTransform::read(p, own), l);
  };
  return e;
}

// Checks a spec against the optimizer's keys; the result builds any number of runs.
Params parse_optimizer(std::string_view spec);

// For the problem's blocks; a BlockUse::matrix optimizer needs a matrix among them.
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const Params& params, const Layout& layout);
// For one vector of n parameters.
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const Params& params, Eigen::Index n) {
  return make_optimizer<T>(params, vector_layout(n));
}

}  // namespace descent
