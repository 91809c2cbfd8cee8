#include "lib/optimizer_registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "lib/optimizers/adabelief.hpp"
#include "lib/optimizers/adadelta.hpp"
#include "lib/optimizers/adafactor.hpp"
#include "lib/optimizers/adagrad.hpp"
#include "lib/optimizers/adam.hpp"
#include "lib/optimizers/adamax.hpp"
#include "lib/optimizers/adamw.hpp"
#include "lib/optimizers/adopt.hpp"
#include "lib/optimizers/asgd.hpp"
#include "lib/optimizers/cg.hpp"
#include "lib/optimizers/lamb.hpp"
#include "lib/optimizers/lbfgs.hpp"
#include "lib/optimizers/lion.hpp"
#include "lib/optimizers/momentum.hpp"
#include "lib/optimizers/muon.hpp"
#include "lib/optimizers/nadam.hpp"
#include "lib/optimizers/nadamw.hpp"
#include "lib/optimizers/nesterov.hpp"
#include "lib/optimizers/newton.hpp"
#include "lib/optimizers/prodigy.hpp"
#include "lib/optimizers/radam.hpp"
#include "lib/optimizers/rmsprop.hpp"
#include "lib/optimizers/rprop.hpp"
#include "lib/optimizers/sfadamw.hpp"
#include "lib/optimizers/sfsgd.hpp"
#include "lib/optimizers/sgd.hpp"
#include "lib/optimizers/shampoo.hpp"
#include "lib/optimizers/signsgd.hpp"
#include "lib/optimizers/signum.hpp"
#include "lib/optimizers/soap.hpp"

namespace descent {
namespace {

// Line-search and second-order methods: concrete Optimizer<double> classes with an oracle. They
// take no `clip` or `weight_decay`, which would make the gradient disagree with the loss that
// their line searches compare.
template <class O>
OptimizerEntry entry_double() {
  OptimizerEntry e{O::info(), keys_of<typename O::Config>(), {}, {}, {}, "built in"};
  e.check = [](const Params& p) { (void)read_config<typename O::Config>(p); };
  e.make_double = [](const Params& p, const Layout& l) -> std::unique_ptr<Optimizer<double>> {
    return std::make_unique<O>(read_config<typename O::Config>(p), layout_dim(l));
  };
  e.make_float = [name = e.info.name](const Params&,
                                      const Layout&) -> std::unique_ptr<Optimizer<float>> {
    throw UsageError(fmt::format("optimizer '{}' works in double precision only", name));
  };
  return e;
}

// The first-order table, which register_optimizer extends.
std::vector<OptimizerEntry>& first_order() {
  // One line per optimizer.
  // clang-format off
  static std::vector<OptimizerEntry> all = {
      optimizer_entry<Sgd>(),
      optimizer_entry<Momentum>(),
      optimizer_entry<Nesterov>(),
      optimizer_entry<Adagrad>(),
      optimizer_entry<Adadelta>(),
      optimizer_entry<Rmsprop>(),
      optimizer_entry<Adam>(),
      optimizer_entry<Adamw>(),
      optimizer_entry<Adamax>(),
      optimizer_entry<Nadam>(),
      optimizer_entry<Nadamw>(),
      optimizer_entry<Lion>(),
      optimizer_entry<Radam>(),
      optimizer_entry<Adabelief>(),
      optimizer_entry<Adopt>(),
      optimizer_entry<Rprop>(),
      optimizer_entry<Asgd>(),
      optimizer_entry<Lamb>(),
      optimizer_entry<Prodigy>(),
      optimizer_entry<Sfsgd>(),
      optimizer_entry<Sfadamw>(),
      optimizer_entry<Signsgd>(),
      optimizer_entry<Signum>(),
      optimizer_entry<Muon>(),
      optimizer_entry<Adafactor>(),
      optimizer_entry<Shampoo>(),
      optimizer_entry<Soap>(),
  };
  // clang-format on
  return all;
}

}  // namespace

// A flavor that names a key the optimizer lacks is a bug of its declaration, reported when the
// registry is built (and by tests/test_flavors.cpp).
void add_flavors(OptimizerEntry& e) {
  if (e.info.flavors.empty()) return;
  std::vector<std::string> names;
  for (const Flavor& f : e.info.flavors) {
    names.push_back(f.name);
    for (const auto& [key, value] : f.sets) {
      auto k = std::find_if(e.keys.begin(), e.keys.end(),
                            [&key = key](const Key& k) { return k.name == key; });
      if (k == e.keys.end())
        throw std::logic_error(
            fmt::format("{} flavor {} sets no key '{}'", e.info.name, f.name, key));
      k->flavor_defaults.emplace_back(f.name, value);
    }
  }
  if (names.front() != "torch")
    throw std::logic_error(fmt::format("{}: the first flavor must be torch", e.info.name));
  e.keys.insert(e.keys.begin(),
                choice_key(std::string(kFlavorKey), "torch",
                           "the framework whose form and defaults the other keys take", names));
}

const std::vector<OptimizerEntry>& optimizer_registry() { return first_order(); }

const std::vector<OptimizerEntry>& oracle_optimizer_registry() {
  // One line per optimizer.
  // clang-format off
  static const std::vector<OptimizerEntry> all = {
      entry_double<Newton>(),
      entry_double<Lbfgs>(),
      entry_double<Cg>(),
  };
  // clang-format on
  return all;
}

const OptimizerEntry& find_optimizer(std::string_view name) {
  std::vector<std::string> names;
  for (const auto* all : {&optimizer_registry(), &oracle_optimizer_registry()}) {
    auto it =
        std::find_if(all->begin(), all->end(), [&](const auto& e) { return e.info.name == name; });
    if (it != all->end()) return *it;
    for (const auto& e : *all) names.push_back(e.info.name);
  }
  throw UsageError(fmt::format("unknown optimizer '{}' (known: {}; {})", name,
                               fmt::join(names, ", "), kPluginHint));
}

namespace {
std::string& current_registrant() {
  static std::string who = "the program";
  return who;
}
}  // namespace

void set_registrant(std::string who) { current_registrant() = std::move(who); }
const std::string& registrant() { return current_registrant(); }

void register_optimizer(OptimizerEntry e) {
  for (const auto* all : {&optimizer_registry(), &oracle_optimizer_registry()})
    for (const auto& taken : *all)
      if (taken.info.name == e.info.name)
        throw UsageError(
            fmt::format("optimizer '{}' is already registered ({})", e.info.name, taken.origin));
  e.origin = registrant();
  first_order().push_back(std::move(e));
}

bool steps_at_defaults_on_a_vector(const OptimizerEntry& e) {
  return e.info.blocks != BlockUse::matrix &&
         std::none_of(e.keys.begin(), e.keys.end(), [](const Key& k) { return k.required; });
}

bool has_flavors(const OptimizerEntry& e) { return !e.info.flavors.empty(); }

std::string no_flavors(const OptimizerEntry& e) {
  std::vector<std::string> with;
  for (const auto& other : optimizer_registry())
    if (has_flavors(other)) with.push_back(other.info.name);
  return fmt::format("optimizer '{}' has no flavors (optimizers with flavors: {})", e.info.name,
                     fmt::join(with, ", "));
}

Params parse_optimizer(std::string_view spec) {
  const Spec s = parse_spec(spec);
  const OptimizerEntry& e = find_optimizer(s.name);
  if (!has_flavors(e))
    for (const auto& [key, value] : s.args)
      if (key == kFlavorKey)
        throw UsageError(fmt::format("optimizer spec '{}': {}", s.text, no_flavors(e)));
  Params p = bind_spec(s, e.keys, "optimizer");
  e.check(p);
  return p;
}

namespace {

const OptimizerEntry& entry_for(const Params& p, const Layout& layout) {
  const OptimizerEntry& e = find_optimizer(p.name());
  if (e.info.blocks == BlockUse::matrix && !has_matrix(layout))
    throw UsageError(fmt::format(
        "optimizer '{}' preconditions matrices, and the parameters have none ({}); view an "
        "analytic problem as one with shape=RxC",
        p.name(), describe(layout)));
  return e;
}

}  // namespace

template <>
std::unique_ptr<Optimizer<double>> make_optimizer<double>(const Params& p, const Layout& layout) {
  return entry_for(p, layout).make_double(p, layout);
}

template <>
std::unique_ptr<Optimizer<float>> make_optimizer<float>(const Params& p, const Layout& layout) {
  return entry_for(p, layout).make_float(p, layout);
}

}  // namespace descent
