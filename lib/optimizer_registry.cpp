#include "lib/optimizer_registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "lib/optimizers/cg.hpp"
#include "lib/optimizers/lbfgs.hpp"
#include "lib/optimizers/newton.hpp"
#include "lib/optimizers/table.hpp"

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
  return e;  // no make_float: double only
}

template <std::size_t... P>
std::vector<OptimizerEntry> built_in(std::index_sequence<P...>) {
  NumberedEntries numbered;
  for (NumberedEntries part : {optimizer_part<int(P)>()...})
    for (auto& entry : part) numbered.push_back(std::move(entry));
  std::sort(numbered.begin(), numbered.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<OptimizerEntry> all;
  for (auto& [position, entry] : numbered) all.push_back(std::move(entry));
  return all;
}

// The first-order table (lib/optimizers/table.hpp), which register_optimizer extends.
std::vector<OptimizerEntry>& first_order() {
  static std::vector<OptimizerEntry> all = built_in(std::make_index_sequence<kOptimizerParts>{});
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
  const OptimizerEntry& e = entry_for(p, layout);
  if (!has_float(e)) throw UsageError(no_float(e));
  return e.make_float(p, layout);
}

bool has_float(const OptimizerEntry& e) { return bool(e.make_float); }

std::string no_float(const OptimizerEntry& e) {
  return fmt::format(
      "dtype float32 with optimizer '{}': it works in double precision only (line-search, "
      "second-order and Python optimizers have no float path)",
      e.info.name);
}

}  // namespace descent
