#include "bench/cli/cli.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "bench/cli/commands.hpp"
#include "bench/cli/plugins.hpp"
#include "lib/build_info.hpp"
#include "lib/spec.hpp"

namespace descent::cli {
namespace {

// The build's facts as indented `key: value` lines, which scripts/provenance.py reads, between
// the commit and this machine's CPU, which decide nothing in a portable build.
std::string version_text() {
  std::string text = fmt::format("descent {}, commit {}\nbuild facts (they decide the numbers):\n",
                                 version(), git_commit());
  for (const BuildFact& f : build_facts()) text += fmt::format("  {}: {}\n", f.key, f.value);
  return text + fmt::format("running on: {}", cpu_model());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"descent: benchmark and experiment harness for gradient-based optimizers"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::function<std::string()>(version_text),
                       "Print the version and the build's facts");
  // Every command takes --plugin, before or after its own arguments (fallthrough): the plugins
  // are loaded before the command runs, so that their names are known to it.
  std::vector<std::string> plugins;
  app.add_option("--plugin", plugins,
                 "Load optimizers or problems from this shared library (repeatable)")
      ->allow_extra_args(false);  // one file each: `--plugin a.so FILE.toml` keeps FILE.toml
  app.fallthrough();
  Action action;
  add_list_command(app, action);
  add_run_command(app, action);
  add_gradcheck_command(app, action);
  add_sweep_command(app, action);
  add_merge_command(app, action);
  add_slurm_command(app, action);
  add_inspect_command(app, action);

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
  for (const std::string& file : plugins) load_plugin(file);
  return action();
}

}  // namespace descent::cli
