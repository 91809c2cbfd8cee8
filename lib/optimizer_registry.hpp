// Every optimizer by name. Adding one: write lib/optimizers/<name>.hpp and add its line to the
// right table in optimizer_registry.cpp (first-order, or oracle methods in double).
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "lib/optimizer.hpp"

namespace descent {

struct OptimizerEntry {
  OptimizerInfo info;
  std::vector<Key> keys;  // the optimizer's own keys, then `clip` and `weight_decay`
  std::function<std::unique_ptr<Optimizer<double>>(const Params&, const Layout&)> make_double;
  std::function<std::unique_ptr<Optimizer<float>>(const Params&, const Layout&)> make_float;
  // Rejects combinations of keys that each key alone allows (Config::check()).
  std::function<void(const Params&)> check;
};

// The first-order optimizers: any scalar type, a step from the gradient alone.
const std::vector<OptimizerEntry>& optimizer_registry();
// Line-search and second-order methods (lbfgs, cg, newton): double only, with an Oracle.
const std::vector<OptimizerEntry>& oracle_optimizer_registry();
const OptimizerEntry& find_optimizer(std::string_view name);  // throws UsageError
// Whether the bare name makes an optimizer that steps on one plain vector: not matrix-only and
// no key a spec must give (adafactor's lr). BM_Step and the step workloads time these.
bool steps_at_defaults_on_a_vector(const OptimizerEntry& e);

// Whether the optimizer has flavors (`flavor=`), and the message for using one where it has none.
bool has_flavors(const OptimizerEntry& e);
std::string no_flavors(const OptimizerEntry& e);

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
