// The `descent` commands. Each lives in bench/cli/cmd_<name>.cpp and registers itself with one
// line in cli.cpp: it adds its subcommand and options, and on selection sets `action`.
#pragma once

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>

namespace descent::cli {

using Action = std::function<int()>;

// A check that the whole text is a finite T greater than `above` (from_chars: no locale, no
// blanks, no rest), with a plain message. CLI11's PositiveNumber would do, but its message names
// the range of a double ("not in range 0.000000 to 1797...") and it takes hexadecimal counts.
template <class T>
CLI::Validator greater_than(T above, std::string what, T at_most = std::numeric_limits<T>::max()) {
  return CLI::Validator(
      [above, what, at_most](std::string& text) -> std::string {
        T v{};
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        bool ok =
            ec == std::errc() && end == text.data() + text.size() && v > above && v <= at_most;
        if constexpr (std::is_floating_point_v<T>) ok = ok && std::isfinite(v);
        return ok ? std::string() : fmt::format("expected {}, got '{}'", what, text);
      },
      what);
}

// A count option of type T (int, long): a whole number >= 1 that fits T.
template <class T>
CLI::Validator positive_count() {
  return greater_than<T>(0, "a whole number >= 1");
}
// The same, at most `max` (a limit of lib/limits.hpp).
template <class T>
CLI::Validator count_up_to(T max) {
  return greater_than<T>(0, fmt::format("a whole number from 1 to {}", max), max);
}
inline CLI::Validator positive_real() { return greater_than<double>(0, "a finite number > 0"); }

void add_list_command(CLI::App& app, Action& action);
void add_run_command(CLI::App& app, Action& action);
void add_gradcheck_command(CLI::App& app, Action& action);
void add_sweep_command(CLI::App& app, Action& action);
void add_merge_command(CLI::App& app, Action& action);
void add_slurm_command(CLI::App& app, Action& action);
void add_inspect_command(CLI::App& app, Action& action);

}  // namespace descent::cli
