// `descent list`: the registries and the column and file tables, as text or as the Markdown
// tables that the README carries (scripts/docs.py puts them there and checks they are current).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "bench/cli/commands.hpp"
#include "lib/harness/budget.hpp"
#include "lib/harness/columns.hpp"
#include "lib/harness/outputs.hpp"
#include "lib/limits.hpp"
#include "lib/optimizer_registry.hpp"
#include "lib/schedule.hpp"
#include "lib/trace_csv.hpp"
#include "problems/registry.hpp"

namespace descent::cli {
namespace {

struct ListArgs {
  std::string what;
  bool verbose = false, markdown = false;
};

const std::vector<std::string> kTargets = {"optimizers", "flavors", "problems", "schedules",
                                           "columns",    "outputs", "limits"};

CLI::App* add(CLI::App& app, ListArgs& a) {
  auto* cmd = app.add_subcommand(
      "list",
      "List optimizers, their flavors, problems, schedules, result columns, output files or the "
      "limits on sizes");
  cmd->add_option("what", a.what, fmt::format("{}", fmt::join(kTargets, " | ")))
      ->required()
      ->check(CLI::IsMember(kTargets));
  cmd->add_flag("-v,--verbose", a.verbose, "Also print each key's meaning");
  cmd->add_flag("--markdown", a.markdown, "Print the README's Markdown table instead");
  return cmd;
}

// ---- text ---------------------------------------------------------------------------------

std::string keys_text(const std::vector<Key>& keys) {
  std::vector<std::string> parts;
  for (const Key& k : keys) {
    std::string value = !k.default_value.empty() ? k.default_value
                        : k.required             ? "(required)"
                                                 : "(unset)";
    if (k.kind == Kind::choice) value += " [" + fmt::format("{}", fmt::join(k.choices, "|")) + "]";
    parts.push_back(k.name + "=" + value);
  }
  return parts.empty() ? "(none)" : fmt::format("{}", fmt::join(parts, " "));
}

// What a flavor sets: `alpha=0.9 eps_in_sqrt=1`, or that it is torch's form and defaults.
std::string sets_text(const Flavor& f) {
  if (f.sets.empty()) return "(torch's form and defaults)";
  std::vector<std::string> parts;
  for (const auto& [key, value] : f.sets) parts.push_back(key + "=" + value);
  return fmt::format("{}", fmt::join(parts, " "));
}

void print_flavors(const OptimizerEntry& e) {
  for (const Flavor& f : e.info.flavors)
    fmt::print("      {:<10} {}{}\n", f.name, f.name == "torch" ? "" : sets_text(f) + "; ", f.note);
}

void print_keys(const std::vector<Key>& keys, bool verbose) {
  fmt::print("    keys: {}\n", keys_text(keys));
  if (!verbose) return;
  for (const Key& k : keys) fmt::print("      {:<16} {}\n", k.name, k.help);
}

// Continuation lines of a multi-line text, indented under its first.
std::string indented(const std::string& text, const std::string& indent) {
  std::string out;
  for (char c : text) out += c == '\n' ? "\n" + indent : std::string(1, c);
  return out;
}

void print_text(const std::string& what, bool verbose) {
  if (what == "optimizers") {
    for (const auto* all : {&optimizer_registry(), &oracle_optimizer_registry()})
      for (const auto& e : *all) {
        fmt::print("{:<16} {}\n", e.info.name, e.info.summary);
        fmt::print("    update: {}\n    ref: {}\n", indented(e.info.equations, "            "),
                   e.info.reference);
        if (!e.info.eval_point.empty()) fmt::print("    judged at: {}\n", e.info.eval_point);
        if (verbose && !e.info.differences.empty())
          fmt::print("    differences: {}\n", e.info.differences);
        print_keys(e.keys, verbose);
        if (verbose && !e.info.flavors.empty()) {
          fmt::print("    flavors (flavor=NAME sets these keys where the spec does not):\n");
          print_flavors(e);
        }
      }
  } else if (what == "flavors") {
    for (const auto& e : optimizer_registry()) {
      if (e.info.flavors.empty()) continue;
      fmt::print("{}\n", e.info.name);
      print_flavors(e);
    }
  } else if (what == "problems") {
    for (const auto& e : problem_registry()) {
      fmt::print("{:<16} {}\n    {}\n", e.info.name, e.info.summary,
                 indented(e.info.definition, "    "));
      print_keys(e.info.keys, verbose);
      // The parameter blocks matrix-aware optimizers see, at the default keys.
      if (verbose) fmt::print("    layout: {}\n", describe(make_problem(e.info.name, 0)->layout()));
    }
  } else if (what == "schedules") {
    for (const auto& s : schedule_registry()) {
      fmt::print("{:<16} multiplier {}\n", s.name, s.summary);
      print_keys(s.keys, verbose);
    }
  } else if (what == "columns") {
    fmt::print("runs.csv\n");
    for (const RunColumn& c : run_columns()) fmt::print("  {:<18} {}\n", c.name, c.help);
    fmt::print("traces.csv (after run_id) and descent run --trace\n");
    for (const TraceColumn& c : trace_columns()) fmt::print("  {:<18} {}\n", c.name, c.help);
    fmt::print("budget.csv (random search)\n");
    for (const BudgetColumn& c : budget_columns()) fmt::print("  {:<18} {}\n", c.name, c.help);
  } else if (what == "limits") {
    for (const Limit& l : all_limits()) fmt::print("{:<16} {:>14}  {}\n", l.name, l.value, l.what);
  } else {
    for (const OutputFile& f : sweep_outputs()) fmt::print("{:<16} {}\n", f.name, f.what);
  }
}

// ---- Markdown -----------------------------------------------------------------------------

// A table cell: pipes escaped, line breaks as <br>.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += "<br>";
    else
      out += c;
  }
  return out;
}

std::string code(const std::string& s) { return "`" + s + "`"; }

// `lr=1e-3` `variant=classic` (`ewa`, `cs231n`); keys without a default show as unset.
std::string keys_cell(const std::vector<Key>& keys) {
  std::vector<std::string> parts;
  for (const Key& k : keys) {
    std::string part = !k.default_value.empty() ? code(k.name + "=" + k.default_value)
                       : k.required             ? code(k.name) + " (required)"
                                                : code(k.name + "=…") + " (optional)";
    if (k.kind == Kind::choice) {
      std::vector<std::string> others;
      for (const std::string& c : k.choices)
        if (c != k.default_value) others.push_back(code(c));
      part += fmt::format(" ({})", fmt::join(others, ", "));
    }
    parts.push_back(part);
  }
  return parts.empty() ? "—" : fmt::format("{}", fmt::join(parts, " "));
}

void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  fmt::print("| {} |\n|", fmt::join(header, " | "));
  for (std::size_t i = 0; i < header.size(); ++i) fmt::print(" --- |");
  fmt::print("\n");
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    for (const auto& c : row) cells.push_back(cell(c));
    fmt::print("| {} |\n", fmt::join(cells, " | "));
  }
}

// The first-order table leaves out the keys every first-order optimizer shares (clip and the
// coupled weight_decay), which the README states once above it.
void optimizers_markdown() {
  std::vector<std::string> shared;
  for (const Key& k : keys_of(GradientTransform::fields(false))) shared.push_back(k.name);
  for (const auto* all : {&optimizer_registry(), &oracle_optimizer_registry()}) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : *all) {
      std::vector<Key> own;
      for (const Key& k : e.keys)
        if (std::find(shared.begin(), shared.end(), k.name) == shared.end() ||
            (e.info.own_weight_decay && k.name == "weight_decay"))
          own.push_back(k);
      rows.push_back({code(e.info.name), keys_cell(own), e.info.equations, e.info.reference});
    }
    if (all != &optimizer_registry())
      fmt::print("\nLine-search and second-order methods (double precision, with an oracle):\n\n");
    print_table({"name", "keys (defaults)", "update", "reference"}, rows);
  }
  // What the update table has no room for: where a run is judged, and how the reference differs
  // from the paper and from other implementations.
  fmt::print("\nEvaluation points and differences between implementations:\n\n");
  for (const auto* all : {&optimizer_registry(), &oracle_optimizer_registry()})
    for (const auto& e : *all) {
      if (e.info.eval_point.empty() && e.info.differences.empty()) continue;
      std::string text = e.info.differences;
      if (!e.info.eval_point.empty())
        text = fmt::format("judged at {}. {}", e.info.eval_point, text);
      fmt::print("- {}: {}\n", code(e.info.name), text);
    }
}

// One row per optimizer and flavor, and the meaning of every key a flavor sets.
void flavors_markdown() {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> named;  // the keys flavors set, each once
  std::vector<std::vector<std::string>> meanings;
  for (const auto& e : optimizer_registry())
    for (const Flavor& f : e.info.flavors) {
      std::vector<std::string> sets;
      for (const auto& [key, value] : f.sets) {
        sets.push_back(code(key + "=" + value));
        if (std::find(named.begin(), named.end(), key) != named.end()) continue;
        named.push_back(key);
        const auto k = std::find_if(e.keys.begin(), e.keys.end(),
                                    [&key = key](const Key& k) { return k.name == key; });
        if (k->kind == Kind::choice || k->kind == Kind::flag)
          meanings.push_back({code(key), k->help, code(k->default_value)});
      }
      rows.push_back({code(e.info.name), code(f.name),
                      sets.empty() ? "—" : fmt::format("{}", fmt::join(sets, " ")), f.note});
    }
  print_table({"optimizer", "flavor", "sets", "framework"}, rows);
  fmt::print(
      "\nThe forms the flavors choose (a rate or ε a flavor sets is that framework's "
      "default):\n\n");
  print_table({"key", "meaning", "torch"}, meanings);
}

void print_markdown(const std::string& what) {
  std::vector<std::vector<std::string>> rows;
  if (what == "optimizers") return optimizers_markdown();
  if (what == "flavors") return flavors_markdown();
  if (what == "problems") {
    for (const auto& e : problem_registry())
      rows.push_back({code(e.info.name), keys_cell(e.info.keys), e.info.definition});
    return print_table({"name", "keys (defaults)", "definition"}, rows);
  }
  if (what == "schedules") {
    for (const auto& s : schedule_registry())
      rows.push_back({code(s.name), keys_cell(s.keys), s.summary});
    return print_table({"name", "keys (defaults)", "multiplier of the rate at step t"}, rows);
  }
  if (what == "columns") {
    for (const RunColumn& c : run_columns()) {
      std::vector<std::string> facts;
      if (c.better != Better::none)
        facts.push_back(fmt::format("tunable, {} is better", to_string(c.better)));
      if (c.summarized) facts.push_back("in best.csv");
      if (c.timing) facts.push_back("timing");
      rows.push_back({code(c.name), c.help, fmt::format("{}", fmt::join(facts, "; "))});
    }
    print_table({"runs.csv column", "meaning", "facts"}, rows);
    rows.clear();
    for (const TraceColumn& c : trace_columns())
      rows.push_back({code(c.name), c.help, c.timing ? "timing" : ""});
    fmt::print("\n");
    print_table({"trace column", "meaning", "facts"}, rows);
    rows.clear();
    for (const BudgetColumn& c : budget_columns()) rows.push_back({code(c.name), c.help});
    fmt::print("\n");
    return print_table({"budget.csv column", "meaning"}, rows);
  }
  if (what == "limits") {
    for (const Limit& l : all_limits()) rows.push_back({code(l.name), l.value, l.what});
    return print_table({"limit", "at most", "of"}, rows);
  }
  for (const OutputFile& f : sweep_outputs()) rows.push_back({code(f.name), f.what});
  print_table({"file", "content"}, rows);
}

int run_list(const ListArgs& a) {
  if (a.markdown)
    print_markdown(a.what);
  else
    print_text(a.what, a.verbose);
  return 0;
}

}  // namespace

void add_list_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ListArgs>();
  add(app, *args)->callback([args, &action] { action = [args] { return run_list(*args); }; });
}

}  // namespace descent::cli
