// The one spec syntax used everywhere: `name:key=value,key=value`.
//
// A Spec is the syntax only; `bind` checks it against the keys a component declares
// and turns it into Params, so an unknown key, a malformed value or one out of range
// is reported once, here, with the spec and the key named.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace descent {

// A user mistake (bad spec, bad file, bad flag): the CLI prints "error: <what>" and exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A run that cannot go on for numerical reasons (an eigendecomposition that fails, a
// non-finite root): the run ends; a sweep records it as `error` with this message and goes on.
struct NumericalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A file that could not be written (disk full, no permission, a read-only file system): its
// message names the file and the OS error. The CLI prints "error: <what>" and exits 1.
struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs a program's main: a UsageError becomes one "error: <what>" line and exit status 2, an
// IoError "error: <what>" and exit status 1, a NumericalError "error: run failed: <what>" and
// exit status 1, any other exception an "error: internal: <what>" line and exit status 1. The
// message is kept on one line (control characters, such as a newline in a spec, are escaped).
int guarded_main(int (*main)(int, char**), int argc, char** argv);

struct Spec {
  std::string text;  // as written, for error messages
  std::string name;
  std::vector<std::pair<std::string, std::string>> args;
};

Spec parse_spec(std::string_view text);

enum class Kind { real, integer, flag, choice, text };

// Allowed values of a numeric key; the message of each is part of the error text.
enum class Range {
  any,                 // any finite number
  positive,            // > 0
  nonnegative,         // >= 0
  unit_open,           // [0, 1)
  unit_closed,         // [0, 1]
  at_least_one,        // >= 1
  at_least_one_or_inf  // >= 1, or inf (no limit)
};

struct Key {
  std::string name;
  Kind kind = Kind::real;
  std::string default_value;  // empty: the key has no default and is unset unless given
  std::string help;
  Range range = Range::any;
  std::vector<std::string> choices;  // for Kind::choice
  bool required = false;             // no default: a spec must give it
  // Defaults of particular flavors (flavor name, value): a spec whose key `flavor` names one of
  // them takes that value instead of default_value when it does not give the key.
  std::vector<std::pair<std::string, std::string>> flavor_defaults = {};
  // Integer keys: the largest magnitude allowed (0: limits::spec_integer, what an int holds);
  // a size key names the limit it stands for (lib/limits.hpp), which the error quotes.
  std::int64_t max = 0;
  std::string max_name = {};
};

// The key that selects a flavor: a framework's version of a component (lib/optimizer.hpp Flavor).
inline constexpr std::string_view kFlavorKey = "flavor";
// The end of an unknown-name error: a name may be a plugin's (lib/plugin.hpp) that was not loaded.
inline constexpr std::string_view kPluginHint = "a plugin's names need its --plugin FILE.so";

// Short constructors for key tables.
Key real_key(std::string name, std::string def, std::string help, Range range = Range::any);
Key int_key(std::string name, std::string def, std::string help, Range range = Range::any);
// An integer key >= 1 that sizes something: at most `max` (a limit of lib/limits.hpp, `limit`
// its name there), checked before the component allocates anything.
Key size_key(std::string name, std::string def, std::string help, std::int64_t max,
             std::string limit);
Key flag_key(std::string name, std::string def, std::string help);
Key choice_key(std::string name, std::string def, std::string help,
               std::vector<std::string> choices);
Key text_key(std::string name, std::string def, std::string help);

// Key tables joined, for components that share some of their keys.
inline std::vector<Key> with_keys(std::initializer_list<std::vector<Key>> parts) {
  std::vector<Key> all;
  for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

// Validated values of one spec, with the defaults filled in.
class Params {
 public:
  bool has(std::string_view key) const;
  double real(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;
  bool flag(std::string_view key) const;
  const std::string& text(std::string_view key) const;  // choice and text keys
  const std::string& name() const { return name_; }
  // The canonical spec: name and every key with its value, in declaration order.
  std::string canonical() const;
  // Every set key with its value, in declaration order.
  const std::vector<std::pair<std::string, std::string>>& all() const { return ordered_; }
  // The keys as given (defaults excluded), for column names and labels.
  const std::vector<std::pair<std::string, std::string>>& given() const { return given_; }

 private:
  friend Params bind_spec(const Spec&, std::span<const Key>, std::string_view);
  std::string name_;
  std::vector<std::pair<std::string, std::string>> ordered_;  // every set key
  std::vector<std::pair<std::string, std::string>> given_;
  std::map<std::string, std::string, std::less<>> text_;
  std::map<std::string, double, std::less<>> number_;
};

// `what` names the kind of component ("optimizer", "problem", "schedule") in messages. A key
// that is not given takes its default for the spec's flavor (Key::flavor_defaults), if any.
Params bind_spec(const Spec& spec, std::span<const Key> keys, std::string_view what);

// Strict number parsing shared with the CLI and file readers: the whole string must parse.
bool parse_double(std::string_view s, double& out);

std::string describe(Range r);

}  // namespace descent
