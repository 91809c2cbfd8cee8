#include "bench/cli.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "bench/commands.hpp"
#include "lib/spec.hpp"

namespace descent::cli {

int main(int argc, char** argv) {
  CLI::App app{"descent: benchmark and experiment harness for gradient-based optimizers"};
  app.require_subcommand(1);
  Action action;
  add_list_command(app, action);
  add_run_command(app, action);
  add_gradcheck_command(app, action);
  add_sweep_command(app, action);
  add_merge_command(app, action);

  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  if (argc > 1 && argv[1][0] != '-' &&
      std::find(names.begin(), names.end(), argv[1]) == names.end())
    throw UsageError(
        fmt::format("unknown command '{}' (commands: {})", argv[1], fmt::join(names, ", ")));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    throw UsageError(e.what());
  }
  return action();
}

}  // namespace descent::cli
