#include "lib/harness/experiment.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "lib/csv.hpp"
#include "lib/harness/columns.hpp"
#include "lib/limits.hpp"
#include "lib/optimizer_registry.hpp"
#include "problems/registry.hpp"

namespace descent {
namespace {

// Errors name the file, the key and the line.
class Context {
 public:
  explicit Context(std::string source) : source_(std::move(source)) {}
  [[noreturn]] void fail(const std::string& key, const toml::node* n,
                         const std::string& why) const {
    fail(key, n ? long(n->source().begin.line) : 0, why);
  }
  [[noreturn]] void fail(const std::string& key, long line, const std::string& why) const {
    const std::string where = line > 0 ? fmt::format("{}:{}", source_, line) : source_;
    throw UsageError(fmt::format("{}: key '{}': {}", where, key, why));
  }

 private:
  std::string source_;
};

std::string number_text(double v) { return fmt::format("{:.6g}", v); }

// A scalar as spec text: numbers exactly as TOML gave them, booleans as 0/1.
std::optional<std::string> scalar_text(const toml::node& n) {
  if (auto s = n.value_exact<std::string>()) return *s;
  if (auto b = n.value_exact<bool>()) return std::string(*b ? "1" : "0");
  if (auto i = n.value_exact<std::int64_t>()) return fmt::format("{}", *i);
  if (auto d = n.value_exact<double>()) return fmt::format("{}", *d);
  return std::nullopt;
}

double number(const Context& c, const std::string& key, const toml::node* n) {
  if (!n) c.fail(key, n, "missing");
  if (auto d = n->value<double>()) return *d;
  c.fail(key, n, "expected a number");
}

// A number that becomes a count, a size or an index: whole and within [lo, hi] (lib/limits.hpp).
std::int64_t count(const Context& c, const std::string& key, const toml::node* n, std::int64_t lo,
                   std::int64_t hi, std::string_view limit = {}) {
  const double v = number(c, key, n);
  try {
    return to_count(v, key, lo, hi, limit);
  } catch (const UsageError& err) {
    c.fail(key, n, err.what());
  }
}

std::pair<double, double> pair_of(const Context& c, const std::string& key, const toml::node& n) {
  const toml::array* a = n.as_array();
  if (!a || a->size() != 2) c.fail(key, &n, "expected [low, high]");
  const double lo = number(c, key, a->get(0)), hi = number(c, key, a->get(1));
  if (!(lo < hi)) c.fail(key, &n, "expected low < high");
  return {lo, hi};
}

std::vector<std::string> strings(const Context& c, const std::string& key, const toml::node& n) {
  std::vector<std::string> out;
  auto add = [&](const toml::node& item) {
    auto s = scalar_text(item);
    if (!s) c.fail(key, &item, "expected a value or a list of values");
    out.push_back(*s);
  };
  if (const toml::array* a = n.as_array()) {
    for (const toml::node& item : *a) add(item);
    if (out.empty()) c.fail(key, &n, "empty list");
  } else {
    add(n);
  }
  return out;
}

Axis parse_axis(const Context& c, const std::string& key, const toml::node& n) {
  Axis axis{key, {}, Axis::Dist::none, 0, 0};
  const toml::table* t = n.as_table();
  if (!t) {
    axis.values = strings(c, key, n);
    return axis;
  }
  if (const toml::node* r = t->get("logspace")) {
    const auto [lo, hi] = pair_of(c, key + ".logspace", *r);
    if (lo <= 0) c.fail(key, &n, "logspace needs 0 < low < high");
    const std::int64_t count =
        descent::count(c, key + ".n", t->get("n"), 2, limits::axis_values, "axis_values");
    for (std::int64_t i = 0; i < count; ++i)
      axis.values.push_back(
          number_text(std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * i / (count - 1))));
  } else if (const toml::node* r = t->get("linspace")) {
    const auto [lo, hi] = pair_of(c, key + ".linspace", *r);
    const std::int64_t count =
        descent::count(c, key + ".n", t->get("n"), 2, limits::axis_values, "axis_values");
    for (std::int64_t i = 0; i < count; ++i)
      axis.values.push_back(number_text(lo + (hi - lo) * i / (count - 1)));
  } else if (const toml::node* r = t->get("loguniform")) {
    std::tie(axis.low, axis.high) = pair_of(c, key + ".loguniform", *r);
    if (axis.low <= 0) c.fail(key, &n, "loguniform needs 0 < low");
    axis.dist = Axis::Dist::loguniform;
  } else if (const toml::node* r = t->get("uniform")) {
    std::tie(axis.low, axis.high) = pair_of(c, key + ".uniform", *r);
    axis.dist = Axis::Dist::uniform;
  } else {
    c.fail(key, &n, "expected a value, a list, or { logspace | linspace | loguniform | uniform }");
  }
  return axis;
}

std::vector<Index> batches_of(const Context& c, const std::string& key, const toml::node& n) {
  std::vector<Index> out;
  for (const std::string& s : strings(c, key, n)) {
    if (s == "full") {
      out.push_back(0);
      continue;
    }
    try {
      out.push_back(to_count(s, key, 0, limits::samples, "samples"));
    } catch (const UsageError& err) {
      c.fail(key, &n, fmt::format("{} (a batch size: a whole number, 0 or \"full\")", err.what()));
    }
  }
  return out;
}

// Table entries in file order (toml++ keeps tables sorted by key).
std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (auto&& [k, v] : t) out.emplace_back(std::string(k.str()), &v);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second->source().begin < b.second->source().begin;
  });
  return out;
}

// `dtype`: float64 or float32, or a list of them, each listed once.
std::vector<Dtype> dtypes_of(const Context& c, const std::string& key, const toml::node& n) {
  std::vector<Dtype> out;
  for (const std::string& name : strings(c, key, n)) {
    Dtype d = Dtype::float64;
    try {
      d = parse_dtype(name);
    } catch (const UsageError& err) {
      c.fail(key, &n, err.what());
    }
    if (std::find(out.begin(), out.end(), d) != out.end())
      c.fail(key, &n, fmt::format("'{}' is listed twice", name));
    out.push_back(d);
  }
  return out;
}

// The experiment's `dtype` (the default of every table) and where it was given.
struct DtypeDefault {
  std::vector<Dtype> values = {Dtype::float64};
  const toml::node* node = nullptr;
};

// float32 among a table's dtypes needs its optimizer's float path.
void check_float_path(const Context& c, const std::string& key, const toml::node* n,
                      const std::string& table, const std::vector<Dtype>& dtypes,
                      const OptimizerEntry& entry) {
  if (std::find(dtypes.begin(), dtypes.end(), Dtype::float32) != dtypes.end() && !has_float(entry))
    c.fail(key, n, fmt::format("table [{}]: {}", table, no_float(entry)));
}

OptimizerPlan parse_optimizer_plan(const Context& c, const std::string& label, const toml::node& n,
                                   const std::vector<Index>& default_batches,
                                   const DtypeDefault& default_dtypes) {
  const std::string where = "optimizers." + label;
  const toml::table* t = n.as_table();
  if (!t) c.fail(where, &n, "expected a table");
  OptimizerPlan plan{label,
                     label,
                     {},
                     {"constant"},
                     default_batches,
                     default_dtypes.values,
                     long(n.source().begin.line)};
  if (const toml::node* o = t->get("optimizer")) {
    auto name = o->value_exact<std::string>();
    if (!name) c.fail(where + ".optimizer", o, "expected a string");
    plan.optimizer = *name;
  }
  const OptimizerEntry* entry = nullptr;
  try {
    entry = &find_optimizer(plan.optimizer);
  } catch (const UsageError& e) {
    c.fail(where, &n, e.what());
  }
  if (!t->get("dtype"))
    check_float_path(c, "dtype", default_dtypes.node, where, plan.dtypes, *entry);
  for (const auto& [key, node] : in_file_order(*t)) {
    const std::string full = where + "." + key;
    if (key == "optimizer") continue;
    if (key == "schedule") {
      plan.schedules = strings(c, full, *node);
      for (const auto& s : plan.schedules) {
        try {
          Schedule::parse(s);
        } catch (const UsageError& e) {
          c.fail(full, node, e.what());
        }
      }
    } else if (key == "batch") {
      plan.batches = batches_of(c, full, *node);
    } else if (key == "dtype") {
      plan.dtypes = dtypes_of(c, full, *node);
      check_float_path(c, full, node, where, plan.dtypes, *entry);
    } else if (key == kFlavorKey && !has_flavors(*entry)) {
      c.fail(full, node, no_flavors(*entry));
    } else if (std::none_of(entry->keys.begin(), entry->keys.end(),
                            [&key = key](const Key& k) { return k.name == key; })) {
      c.fail(full, node, fmt::format("optimizer '{}' has no key '{}'", plan.optimizer, key));
    } else {
      plan.axes.push_back(parse_axis(c, key, *node));
      // Each value against its key alone, with its own line (keys the optimizer requires are
      // checked when the runs are expanded, once every axis is known).
      const Key& declared = *std::find_if(entry->keys.begin(), entry->keys.end(),
                                          [&key = key](const Key& k) { return k.name == key; });
      for (const std::string& v : plan.axes.back().values) {
        try {
          bind_spec(parse_spec(fmt::format("{}:{}={}", plan.optimizer, key, v)),
                    std::span(&declared, 1), "optimizer");
        } catch (const UsageError& e) {
          c.fail(full, node, e.what());
        }
      }
    }
  }
  return plan;
}

void parse_budget(const Context& c, const toml::node* n, Budget& b) {
  const toml::table* t = n ? n->as_table() : nullptr;
  if (!t) c.fail("budget", n, "expected a table such as { iters = 1000 }");
  for (const auto& [key, node] : in_file_order(*t)) {
    const std::string full = "budget." + key;
    const double v = number(c, full, node);
    if (!(v > 0) || !std::isfinite(v)) c.fail(full, node, "must be a finite number > 0");
    if (key == "iters")
      b.iters = count(c, full, node, 1, limits::steps, "steps");
    else if (key == "epochs" && v > limits::epochs)
      c.fail(full, node, fmt::format("at most {:g} (limit 'epochs')", limits::epochs));
    else if (key == "epochs")
      b.epochs = v;
    else if (key == "grad_evals")
      b.grad_evals = count(c, full, node, 1, limits::steps, "steps");
    else if (key == "seconds")
      b.seconds = v;
    else
      c.fail("budget." + key, node, "unknown budget (iters, epochs, grad_evals, seconds)");
  }
  const int counts = (b.iters > 0) + (b.epochs > 0) + (b.grad_evals > 0);
  if (counts > 1 || (counts == 0 && b.seconds <= 0))
    c.fail("budget", n, "give one of iters, epochs, grad_evals (seconds may be added)");
}

// Within limits::runs, counted before the grid is built.
void check_run_count(const Context& c, const Experiment& e) {
  const double runs = run_count(e);
  if (runs > double(limits::runs))
    c.fail("optimizers", 0L,
           fmt::format("the sweep would have {:.4g} runs, more than the limit 'runs' of {}", runs,
                       limits::runs));
}

void parse_settings(const Context& c, const toml::table& root, Experiment& e) {
  if (const toml::node* n = root.get("target")) {
    const toml::table* t = n->as_table();
    if (!t || t->size() != 1) c.fail("target", n, "expected one entry such as { gap = 1e-6 }");
    const auto first = t->begin();  // its proxy pair lives inside the iterator
    const auto& [key, value] = *first;
    try {
      e.target = Target{parse_target_kind(key.str()), number(c, "target", &value)};
    } catch (const UsageError& err) {
      c.fail("target", n, err.what());
    }
    const double v = e.target->value;
    const std::string full = fmt::format("target.{}", key.str());
    if (!std::isfinite(v)) c.fail(full, n, "must be a finite number");
    if (e.target->kind == Target::Kind::test_acc && !(v > 0 && v <= 1))
      c.fail(full, n, "an accuracy in (0, 1]");
    if ((e.target->kind == Target::Kind::gap || e.target->kind == Target::Kind::rel_gap) &&
        !(v > 0))
      c.fail(full, n, "must be > 0");
  }
  if (const toml::node* n = root.get("log")) {
    const toml::table* t = n->as_table();
    if (!t || t->size() != 1) c.fail("log", n, "expected one of { points = N } or { every = K }");
    if (const toml::node* p = t->get("points"))
      e.log = {1, count(c, "log.points", p, 1, limits::log_points, "log_points")};
    else if (const toml::node* k = t->get("every"))
      e.log = {count(c, "log.every", k, 1, limits::steps, "steps"), 0};
    else
      c.fail("log", n, "expected { points = N } or { every = K }");
  }
  if (const toml::node* n = root.get("tune")) {
    const toml::table* t = n->as_table();
    if (!t) c.fail("tune", n, "expected { metric = ..., stat = ... }");
    for (const auto& [key, node] : in_file_order(*t))
      if (key != "metric" && key != "stat")
        c.fail("tune." + key, node, "unknown key (metric, stat)");
    for (const char* key : {"metric", "stat"})
      if (const toml::node* k = t->get(key); k && !k->is_string())
        c.fail(fmt::format("tune.{}", key), k, "expected a string");
    e.tune_metric = (*t)["metric"].value_or(e.tune_metric);
    e.tune_stat = (*t)["stat"].value_or(e.tune_stat);
    const RunColumn* metric = find_run_column(e.tune_metric);
    if (!metric || metric->better == Better::none)
      c.fail("tune.metric", n,
             fmt::format("unknown metric '{}' (known: {})", e.tune_metric,
                         fmt::join(tunable_metrics(), ", ")));
    if (e.tune_stat != "median" && e.tune_stat != "mean" && e.tune_stat != "worst")
      c.fail("tune.stat", n, "expected median, mean or worst");
  }
  if (const toml::node* n = root.get("search")) {
    const toml::table* t = n->as_table();
    if (!t)
      c.fail("search", n, "expected { method = \"grid\" } or { method = \"random\", samples = N }");
    for (const auto& [key, node] : in_file_order(*t))
      if (key != "method" && key != "samples" && key != "defaults" && key != "budgets")
        c.fail("search." + key, node, "unknown key (method, samples, defaults, budgets)");
    if (const toml::node* m = t->get("method"); m && !m->is_string())
      c.fail("search.method", m, "expected \"grid\" or \"random\"");
    const std::string method = (*t)["method"].value_or(std::string("grid"));
    if (method == "random") {
      e.random_samples =
          int(count(c, "search.samples", t->get("samples"), 1, limits::axis_values, "axis_values"));
    } else if (method != "grid") {
      c.fail("search.method", n, "expected grid or random");
    } else if (const toml::node* k = t->get("samples")) {
      c.fail("search.samples", k, "samples are drawn by a random search: add method = \"random\"");
    }
    for (const char* key : {"defaults", "budgets"})
      if (const toml::node* k = t->get(key); k && method != "random")
        c.fail(fmt::format("search.{}", key), k,
               "tuning-budget curves (budget.csv) are drawn from random-search runs: use "
               "search = { method = \"random\", samples = N }");
    if (const toml::node* d = t->get("defaults")) {
      const auto b = d->value_exact<bool>();
      if (!b) c.fail("search.defaults", d, "expected true or false");
      e.search_defaults = *b;
    }
    if (const toml::node* b = t->get("budgets")) {
      const toml::array* a = b->as_array();
      if (!a || a->empty())
        c.fail("search.budgets", b, "expected a list of k values such as [1, 4, 32]");
      for (const toml::node& item : *a) {
        const auto k = item.value_exact<std::int64_t>();
        if (!k) c.fail("search.budgets", &item, "expected whole numbers k >= 1");
        if (*k == 0)
          c.fail("search.budgets", &item,
                 "k = 0 (no tuning: the default hyperparameters) is not a budget; set "
                 "defaults = true for it");
        if (*k < 1) c.fail("search.budgets", &item, fmt::format("k = {}: expected k >= 1", *k));
        e.budgets.push_back(int(std::min<std::int64_t>(*k, 1 << 30)));
      }
      std::sort(e.budgets.begin(), e.budgets.end());
      e.budgets.erase(std::unique(e.budgets.begin(), e.budgets.end()), e.budgets.end());
    }
  }
}

// Each budget fits every table: k <= the configurations it draws.
void check_budgets(const Context& c, const toml::table& root, const Experiment& e) {
  const toml::node* n = root.at_path("search.budgets").node();
  for (const OptimizerPlan& plan : e.optimizers) {
    const int searched = configurations_searched(e, plan);
    if (e.budgets.empty() || e.budgets.back() <= searched) continue;
    std::string how = fmt::format("samples = {}", e.random_samples);
    if (plan.schedules.size() > 1) how += fmt::format(" × {} schedules", plan.schedules.size());
    if (plan.batches.size() > 1) how += fmt::format(" × {} batch sizes", plan.batches.size());
    c.fail("search.budgets", n,
           fmt::format("k = {} exceeds the {} configurations searched{} ({}): lower k or raise "
                       "samples",
                       e.budgets.back(), searched,
                       e.optimizers.size() > 1 ? " for optimizers." + plan.label : "", how));
  }
}

}  // namespace

Experiment with_seeds(const Experiment& e, int seeds) {
  if (seeds < 1) throw UsageError(fmt::format("--seeds must be >= 1, got {}", seeds));
  if (seeds == e.seeds) return e;  // the text already says so (and shards still merge)
  // The text is what experiment.toml records and what merge compares, so it must say how the
  // sweep ran. It is edited, not rewritten by toml++, because the order of the optimizers in
  // the file is the order of the runs and the tables.
  std::string text = e.text;
  const std::string bom = "\xEF\xBB\xBF";
  const bool has_bom = text.rfind(bom, 0) == 0;
  if (has_bom) text.erase(0, bom.size());
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  const std::string line = fmt::format("seeds = {}  # set by descent sweep --seeds", seeds);
  const toml::table root = toml::parse(text, e.source);
  if (const toml::node* n = root.get("seeds"))
    lines[n->source().begin.line - 1] = line;  // a top-level key has its line to itself
  else
    lines.insert(lines.begin(), line);  // before any [table], so at the top level
  return parse_experiment(fmt::format("{}{}\n", has_bom ? bom : "", fmt::join(lines, "\n")),
                          e.source);
}

double run_count(const Experiment& e) {
  double runs = 0;
  for (const OptimizerPlan& plan : e.optimizers) {
    double configs = e.random_samples > 0 ? double(e.random_samples) + e.search_defaults : 1;
    if (e.random_samples == 0)
      for (const Axis& a : plan.axes) configs *= double(std::max<std::size_t>(a.values.size(), 1));
    runs += configs * double(plan.schedules.size()) * double(plan.batches.size()) *
            double(plan.dtypes.size());
  }
  return runs * double(e.problems.size()) * double(e.seeds);
}

Experiment parse_experiment(std::string_view text, const std::string& source) {
  const Context c(source);
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& err) {
    throw UsageError(fmt::format("{}:{}: {}", source, err.source().begin.line, err.description()));
  }
  Experiment e;
  e.source = source;
  e.text = std::string(text);
  static const std::vector<std::string> known = {
      "name", "problems", "seeds",   "seed",   "budget",     "target", "log",
      "tune", "batch",    "diverge", "search", "optimizers", "dtype"};
  for (auto&& [k, v] : root)
    if (std::find(known.begin(), known.end(), k.str()) == known.end())
      c.fail(std::string(k.str()), &v, "unknown key");
  e.name = root["name"].value_or(std::string());
  // The name is the default output folder, results/<name>: it must stay a name there.
  const bool safe =
      !e.name.empty() && e.name.size() <= 100 && e.name[0] != '.' &&
      std::all_of(e.name.begin(), e.name.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
      });
  if (!safe)
    c.fail("name", root.get("name"),
           "expected a name of letters, digits, '-', '_' and '.' (not first), at most 100 "
           "characters");
  const toml::node* problems = root.get("problems");
  if (!problems) c.fail("problems", nullptr, "missing");
  e.problems = strings(c, "problems", *problems);
  for (const auto& p : e.problems) {
    try {
      parse_problem(p);
    } catch (const UsageError& err) {
      c.fail("problems", problems, err.what());
    }
  }
  if (const toml::node* n = root.get("seeds"))
    e.seeds = int(count(c, "seeds", n, 1, limits::seeds, "seeds"));
  if (const toml::node* n = root.get("seed")) {
    const auto seed = n->value_exact<std::int64_t>();
    if (!seed || *seed < 0) c.fail("seed", n, "expected a whole number >= 0");
    e.seed = std::uint64_t(*seed);
  }
  parse_budget(c, root.get("budget"), e.budget);
  parse_settings(c, root, e);
  if (const toml::node* n = root.get("diverge")) {
    e.diverge_factor = number(c, "diverge", n);
    if (!(e.diverge_factor > 0) || !std::isfinite(e.diverge_factor))
      c.fail("diverge", n, "must be a finite number > 0");
  }
  std::vector<Index> batches = {0};
  if (const toml::node* n = root.get("batch")) batches = batches_of(c, "batch", *n);
  DtypeDefault dtypes;
  if (const toml::node* n = root.get("dtype")) dtypes = {dtypes_of(c, "dtype", *n), n};
  const toml::node* opts = root.get("optimizers");
  if (!opts || !opts->as_table() || opts->as_table()->empty())
    c.fail("optimizers", opts, "expected at least one [optimizers.<name>] table");
  for (const auto& [label, node] : in_file_order(*opts->as_table())) {
    e.optimizers.push_back(parse_optimizer_plan(c, label, *node, batches, dtypes));
    // budget.csv's curves draw k configurations of one kind of run.
    if (e.random_samples > 0 && e.optimizers.back().dtypes.size() > 1)
      c.fail("optimizers." + label, node, "a random search takes one dtype per table");
  }
  check_budgets(c, root, e);
  check_run_count(c, e);
  expand(e);  // checks every configuration now, not halfway through a sweep
  return e;
}

Experiment load_experiment(const std::filesystem::path& path) {
  check_input_file(path, limits::experiment_bytes);
  std::ifstream in(path);
  if (!in) throw UsageError(fmt::format("cannot read experiment file '{}'", path.string()));
  std::stringstream text;
  text << in.rdbuf();
  return parse_experiment(text.str(), path.string());
}

int configurations_searched(const Experiment& e, const OptimizerPlan& plan) {
  return e.random_samples * int(plan.schedules.size() * plan.batches.size());
}

std::vector<int> budget_ks(const Experiment& e, const OptimizerPlan& plan) {
  if (!e.budgets.empty()) return e.budgets;
  const int n = configurations_searched(e, plan);
  std::vector<int> ks;
  for (int k = 1; k < n; k *= 2) ks.push_back(k);
  if (n > 0) ks.push_back(n);
  return ks;
}

// 63 bits, so that the seed column reads as int64 in pandas.
std::uint64_t run_seed(const Experiment& e, int rep) {
  return derive_seed(e.seed, std::uint64_t(rep)) >> 1;
}

namespace {

using Config = std::vector<std::pair<std::string, std::string>>;

std::vector<Config> grid(const OptimizerPlan& plan, const Context& c) {
  std::vector<Config> out = {{}};
  for (const Axis& a : plan.axes) {
    if (a.dist != Axis::Dist::none)
      c.fail("optimizers." + plan.label + "." + a.key, plan.line,
             "uniform/loguniform ranges need search = { method = \"random\", samples = N }");
    std::vector<Config> next;
    for (const Config& partial : out)
      for (const std::string& v : a.values) {
        next.push_back(partial);
        next.back().emplace_back(a.key, v);
      }
    out = std::move(next);
  }
  return out;
}

std::vector<Config> random_configs(const Experiment& e, const OptimizerPlan& plan,
                                   std::size_t index) {
  Rng rng(derive_seed(e.seed, 0x5eed0000 + index));
  std::vector<Config> out;
  for (int s = 0; s < e.random_samples; ++s) {
    Config config;
    for (const Axis& a : plan.axes) {
      const double u = rng.uniform();
      std::string v;
      if (a.dist == Axis::Dist::uniform)
        v = number_text(a.low + u * (a.high - a.low));
      else if (a.dist == Axis::Dist::loguniform)
        v = number_text(std::exp(std::log(a.low) + u * (std::log(a.high) - std::log(a.low))));
      else
        v = a.values[std::size_t(u * double(a.values.size()))];
      config.emplace_back(a.key, v);
    }
    out.push_back(std::move(config));
  }
  return out;
}

// The default configuration of a table (search.defaults): every searched key (a range, or more
// than one value) left to the optimizer's default, the keys set to one value kept.
Config default_config(const OptimizerPlan& plan, const Context& c) {
  const OptimizerEntry& entry = find_optimizer(plan.optimizer);
  Config config;
  for (const Axis& a : plan.axes) {
    if (a.dist == Axis::Dist::none && a.values.size() == 1) {
      config.emplace_back(a.key, a.values.front());
      continue;
    }
    const auto key = std::find_if(entry.keys.begin(), entry.keys.end(),
                                  [&](const Key& k) { return k.name == a.key; });
    if (key != entry.keys.end() && key->required)
      c.fail("optimizers." + plan.label + "." + a.key, plan.line,
             fmt::format("search.defaults runs each optimizer at its default hyperparameters, "
                         "but '{}' has no default for '{}' (a required key): set {} to one value, "
                         "or drop defaults = true",
                         plan.optimizer, a.key, a.key));
  }
  return config;
}

}  // namespace

std::vector<RunSpec> expand(const Experiment& e) {
  const Context c(e.source);
  std::vector<RunSpec> runs;
  for (const std::string& problem : e.problems) {
    for (std::size_t i = 0; i < e.optimizers.size(); ++i) {
      const OptimizerPlan& plan = e.optimizers[i];
      std::vector<std::pair<Config, const char*>> configs;  // and how each was chosen
      if (e.random_samples > 0 && e.search_defaults)
        configs.emplace_back(default_config(plan, c), "default");
      for (Config& config : e.random_samples > 0 ? random_configs(e, plan, i) : grid(plan, c))
        configs.emplace_back(std::move(config), e.random_samples > 0 ? "random" : "grid");
      for (const auto& [config, search] : configs) {
        std::vector<std::string> parts;
        for (const auto& [k, v] : config) parts.push_back(k + "=" + v);
        const std::string text = parts.empty()
                                     ? plan.optimizer
                                     : fmt::format("{}:{}", plan.optimizer, fmt::join(parts, ","));
        Params params;
        try {
          params = parse_optimizer(text);
        } catch (const UsageError& err) {
          c.fail("optimizers." + plan.label, plan.line, err.what());
        }
        for (const std::string& schedule : plan.schedules)
          for (Index batch : plan.batches)
            for (Dtype dtype : plan.dtypes)
              for (int rep = 0; rep < e.seeds; ++rep)
                runs.push_back({Index(runs.size()), problem, plan.label, params.canonical(),
                                schedule, batch, dtype, search, rep, run_seed(e, rep),
                                params.all()});
      }
    }
  }
  return runs;
}

}  // namespace descent
