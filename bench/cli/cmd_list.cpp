#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "bench/cli/commands.hpp"
#include "lib/optimizer_registry.hpp"
#include "lib/schedule.hpp"
#include "problems/registry.hpp"

namespace descent::cli {
namespace {

std::string keys_text(const std::vector<Key>& keys) {
  std::vector<std::string> parts;
  for (const Key& k : keys) {
    std::string value = k.default_value.empty() ? "(unset)" : k.default_value;
    if (k.kind == Kind::choice) value += " [" + fmt::format("{}", fmt::join(k.choices, "|")) + "]";
    parts.push_back(k.name + "=" + value);
  }
  return parts.empty() ? "(none)" : fmt::format("{}", fmt::join(parts, " "));
}

struct ListArgs {
  std::string what;
  bool verbose = false;
};

CLI::App* add(CLI::App& app, ListArgs& a) {
  auto* cmd = app.add_subcommand("list", "List optimizers, problems or schedules with their keys");
  cmd->add_option("what", a.what, "optimizers | problems | schedules")
      ->required()
      ->check(CLI::IsMember({"optimizers", "problems", "schedules"}));
  cmd->add_flag("-v,--verbose", a.verbose, "Also print each key's meaning");
  return cmd;
}

void print_keys(const std::vector<Key>& keys, bool verbose) {
  fmt::print("    keys: {}\n", keys_text(keys));
  if (!verbose) return;
  for (const Key& k : keys) fmt::print("      {:<16} {}\n", k.name, k.help);
}

int run_list(const ListArgs& a) {
  if (a.what == "optimizers") {
    for (const auto* all : {&optimizer_registry(), &oracle_optimizer_registry()})
      for (const auto& e : *all) {
        fmt::print("{:<16} {}\n", e.info.name, e.info.summary);
        fmt::print("    update: {}\n    ref: {}\n", e.info.equations, e.info.reference);
        print_keys(e.keys, a.verbose);
      }
  } else if (a.what == "problems") {
    for (const auto& e : problem_registry()) {
      fmt::print("{:<16} {}\n    {}\n", e.info.name, e.info.summary, e.info.definition);
      print_keys(e.info.keys, a.verbose);
    }
  } else {
    for (const auto& s : schedule_registry()) {
      fmt::print("{:<16} multiplier {}\n", s.name, s.summary);
      print_keys(s.keys, a.verbose);
    }
  }
  return 0;
}

}  // namespace

void add_list_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ListArgs>();
  add(app, *args)->callback([args, &action] { action = [args] { return run_list(*args); }; });
}

}  // namespace descent::cli
