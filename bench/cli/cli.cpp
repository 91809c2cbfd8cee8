#include "bench/cli/cli.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "bench/cli/commands.hpp"
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
  return action();
}

}  // namespace descent::cli
