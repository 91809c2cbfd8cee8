// The `descent` commands. Each lives in bench/cmd_<name>.cpp and registers itself with one
// line in cli.cpp: it adds its subcommand and options, and on selection sets `action`.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace descent::cli {

using Action = std::function<int()>;

void add_list_command(CLI::App& app, Action& action);
void add_run_command(CLI::App& app, Action& action);
void add_gradcheck_command(CLI::App& app, Action& action);
void add_sweep_command(CLI::App& app, Action& action);
void add_merge_command(CLI::App& app, Action& action);

}  // namespace descent::cli
