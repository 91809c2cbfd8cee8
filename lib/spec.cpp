#include "lib/spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "lib/limits.hpp"

namespace descent {

namespace {

std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    else
      out += c;
  }
  return out;
}

}  // namespace

int guarded_main(int (*main)(int, char**), int argc, char** argv) {
  try {
    return main(argc, argv);
  } catch (const UsageError& e) {
    fmt::print(stderr, "error: {}\n", one_line(e.what()));
    return 2;
  } catch (const IoError& e) {
    fmt::print(stderr, "error: {}\n", one_line(e.what()));
    return 1;
  } catch (const NumericalError& e) {
    fmt::print(stderr, "error: run failed: {}\n", one_line(e.what()));
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {  // a path the OS refused
    fmt::print(stderr, "error: {}: {}\n", one_line(e.path1().string()), e.code().message());
    return 1;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: internal: {}\n", one_line(e.what()));
    return 1;
  }
}
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

bool in_range(double v, Range r) {
  switch (r) {
    case Range::any:
      return true;
    case Range::positive:
      return v > 0;
    case Range::nonnegative:
      return v >= 0;
    case Range::unit_open:
      return v >= 0 && v < 1;
    case Range::unit_closed:
      return v >= 0 && v <= 1;
    case Range::at_least_one:
    case Range::at_least_one_or_inf:
      return v >= 1;
  }
  return false;
}

// Returns the number a key's text stands for, or an error message.
std::string check_value(const Key& key, const std::string& value, double& number) {
  switch (key.kind) {
    case Kind::real:
      if (!parse_double(value, number) || std::isnan(number)) return "is not a number";
      if (std::isinf(number) && !(key.range == Range::at_least_one_or_inf && number > 0))
        return "is not a finite number";
      break;
    case Kind::integer: {
      if (!parse_double(value, number) || number != std::floor(number))
        return "is not a whole number";
      const std::int64_t max = key.max > 0 ? key.max : limits::spec_integer;
      if (std::abs(number) > double(max))
        return key.max > 0 ? fmt::format("must be at most {} (limit '{}')", max, key.max_name)
                           : fmt::format("must be at most {} in magnitude", max);
      break;
    }
    case Kind::flag:
      if (value == "1" || value == "true")
        number = 1;
      else if (value == "0" || value == "false")
        number = 0;
      else
        return "must be 0 or 1";
      return {};
    case Kind::choice:
      if (std::find(key.choices.begin(), key.choices.end(), value) == key.choices.end())
        return fmt::format("must be one of {}", fmt::join(key.choices, "|"));
      return {};
    case Kind::text:
      if (value.empty()) return "is empty";
      return {};
  }
  if (!in_range(number, key.range)) return "must be " + describe(key.range);
  return {};
}

// The flavor the spec selects: its `flavor` key, given or by default ("" without one).
std::string flavor_of(const Spec& spec, std::span<const Key> keys) {
  for (const auto& [k, v] : spec.args)
    if (k == kFlavorKey) return v;
  auto key =
      std::find_if(keys.begin(), keys.end(), [](const Key& k) { return k.name == kFlavorKey; });
  return key == keys.end() ? "" : key->default_value;
}

const std::string& default_for(const Key& key, const std::string& flavor) {
  for (const auto& [name, value] : key.flavor_defaults)
    if (name == flavor) return value;
  return key.default_value;
}

}  // namespace

bool parse_double(std::string_view s, double& out) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string describe(Range r) {
  switch (r) {
    case Range::any:
      return "a finite number";
    case Range::positive:
      return "> 0";
    case Range::nonnegative:
      return ">= 0";
    case Range::unit_open:
      return "in [0, 1)";
    case Range::unit_closed:
      return "in [0, 1]";
    case Range::at_least_one:
      return ">= 1";
    case Range::at_least_one_or_inf:
      return ">= 1 (or inf)";
  }
  return "";
}

Spec parse_spec(std::string_view text) {
  Spec spec{std::string(text), {}, {}};
  const auto colon = text.find(':');
  spec.name = std::string(trim(text.substr(0, colon)));
  if (!is_name(spec.name)) throw UsageError(fmt::format("spec '{}': missing or bad name", text));
  if (colon == std::string_view::npos) return spec;
  std::string_view rest = text.substr(colon + 1);
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    const auto eq = item.find('=');
    const std::string_view key = trim(item.substr(0, eq));
    if (eq == std::string_view::npos || !is_name(key))
      throw UsageError(fmt::format("spec '{}': expected key=value, got '{}'", text, item));
    for (const auto& [k, v] : spec.args)
      if (k == key) throw UsageError(fmt::format("spec '{}': key '{}' given twice", text, key));
    spec.args.emplace_back(std::string(key), std::string(trim(item.substr(eq + 1))));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return spec;
}

Params bind_spec(const Spec& spec, std::span<const Key> keys, std::string_view what) {
  for (const auto& [k, v] : spec.args) {
    if (std::none_of(keys.begin(), keys.end(),
                     [&k = k](const Key& key) { return key.name == k; })) {
      std::vector<std::string> names;
      for (const Key& key : keys) names.push_back(key.name);
      throw UsageError(
          fmt::format("{} spec '{}': unknown key '{}' (keys: {})", what, spec.text, k,
                      names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
    }
  }
  Params p;
  p.name_ = spec.name;
  const std::string flavor = flavor_of(spec, keys);
  for (const Key& key : keys) {
    auto given = std::find_if(spec.args.begin(), spec.args.end(),
                              [&](const auto& a) { return a.first == key.name; });
    const bool is_given = given != spec.args.end();
    const std::string value = is_given ? given->second : default_for(key, flavor);
    if (!is_given && key.required)
      throw UsageError(fmt::format("{} spec '{}': key '{}' is required ({})", what, spec.text,
                                   key.name, key.help));
    if (!is_given && value.empty()) continue;
    double number = 0;
    const std::string problem = check_value(key, value, number);
    if (!problem.empty())
      throw UsageError(fmt::format("{} spec '{}': key '{}' {} (got '{}')", what, spec.text,
                                   key.name, problem, value));
    p.ordered_.emplace_back(key.name, value);
    if (is_given) p.given_.emplace_back(key.name, value);
    p.text_[key.name] = value;
    if (key.kind != Kind::choice && key.kind != Kind::text) p.number_[key.name] = number;
  }
  return p;
}

Key real_key(std::string name, std::string def, std::string help, Range range) {
  return Key{std::move(name), Kind::real, std::move(def), std::move(help), range, {}};
}
Key int_key(std::string name, std::string def, std::string help, Range range) {
  return Key{std::move(name), Kind::integer, std::move(def), std::move(help), range, {}};
}
Key size_key(std::string name, std::string def, std::string help, std::int64_t max,
             std::string limit) {
  Key k = int_key(std::move(name), std::move(def), std::move(help), Range::at_least_one);
  k.max = max;
  k.max_name = std::move(limit);
  return k;
}
Key flag_key(std::string name, std::string def, std::string help) {
  return Key{std::move(name), Kind::flag, std::move(def), std::move(help), Range::any, {}};
}
Key choice_key(std::string name, std::string def, std::string help,
               std::vector<std::string> choices) {
  return Key{std::move(name), Kind::choice, std::move(def),
             std::move(help), Range::any,   std::move(choices)};
}
Key text_key(std::string name, std::string def, std::string help) {
  return Key{std::move(name), Kind::text, std::move(def), std::move(help), Range::any, {}};
}

bool Params::has(std::string_view key) const { return text_.find(key) != text_.end(); }

double Params::real(std::string_view key) const {
  auto it = number_.find(key);
  if (it == number_.end()) throw std::logic_error(fmt::format("no numeric key '{}'", key));
  return it->second;
}

std::int64_t Params::integer(std::string_view key) const {
  return static_cast<std::int64_t>(real(key));
}

bool Params::flag(std::string_view key) const { return real(key) != 0; }

const std::string& Params::text(std::string_view key) const {
  auto it = text_.find(key);
  if (it == text_.end()) throw std::logic_error(fmt::format("no key '{}'", key));
  return it->second;
}

std::string Params::canonical() const {
  if (ordered_.empty()) return name_;
  std::vector<std::string> parts;
  for (const auto& [k, v] : ordered_) parts.push_back(k + "=" + v);
  return fmt::format("{}:{}", name_, fmt::join(parts, ","));
}

}  // namespace descent
