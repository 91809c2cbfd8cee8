#include "bench/cli.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

#include "bench/commands.hpp"
#include "lib/spec.hpp"

namespace descent::cli {
namespace {

// A validator that accepts the whole text as a T greater than `above` (from_chars: no locale,
// no leading blanks, no trailing rest).
template <class T>
CLI::Validator greater_than(T above, const char* what) {
  return CLI::Validator(
      [above, what](std::string& text) -> std::string {
        T v{};
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec == std::errc() && end == text.data() + text.size() && v > above) return {};
        return fmt::format("expected {}, got '{}'", what, text);
      },
      what);
}

}  // namespace

CLI::Validator positive_count() { return greater_than<long>(0, "a whole number >= 1"); }
CLI::Validator positive_real() { return greater_than<double>(0, "a number > 0"); }

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
