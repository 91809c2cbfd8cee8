// The `descent` commands. Each lives in bench/cmd_<name>.cpp and registers itself with one
// line in cli.cpp: it adds its subcommand and options, and on selection sets `action`.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace descent::cli {

using Action = std::function<int()>;

// Checks for counts (a whole number >= 1) and for positive reals. CLI11's PositiveNumber would
// do, but its message names the range of a double ("not in range 0.000000 to 1797...").
CLI::Validator positive_count();
CLI::Validator positive_real();

void add_list_command(CLI::App& app, Action& action);
void add_run_command(CLI::App& app, Action& action);
void add_gradcheck_command(CLI::App& app, Action& action);
void add_sweep_command(CLI::App& app, Action& action);
void add_merge_command(CLI::App& app, Action& action);

}  // namespace descent::cli
