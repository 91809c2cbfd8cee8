// A component's keys declared once, bound to the members of its Config: the same table gives
// the keys that `bind_spec` checks a spec against (lib/spec.hpp) and reads the checked Params
// into the Config, so no key name is written a second time.
//
//   struct SgdConfig {
//     double lr;
//     static Fields<SgdConfig> fields() {
//       return {real_key(&SgdConfig::lr, "lr", "1e-3", "step size η", Range::positive)};
//     }
//   };
//
// A choice key maps its words to an enum: choice_key(&C::variant, "variant", "classic", help,
// {{"classic", Form::classic}, {"ewa", Form::ewa}}). Fields of a Config's base or member struct
// are declared once as a group, as a function template over the Config (moment_keys<C>() for
// the Adam family, WolfeConditions' keys for the line searches).
#pragma once

#include <concepts>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lib/spec.hpp"

namespace descent {

template <class C>
struct Field {
  Key key;
  std::function<void(C&, const Params&)> read;  // from checked Params into the Config
};
template <class C>
using Fields = std::vector<Field<C>>;

template <class C>
Field<C> real_key(double C::*m, std::string name, std::string def, std::string help,
                  Range range = Range::any) {
  return {real_key(name, std::move(def), std::move(help), range),
          [m, name](C& c, const Params& p) { c.*m = p.real(name); }};
}

// A key with no default: the spec must give it (shampoo's lr and eps, as its reference).
template <class C>
Field<C> required_key(double C::*m, std::string name, std::string help, Range range = Range::any) {
  Key key = real_key(name, "", std::move(help), range);
  key.required = true;
  return {std::move(key), [m, name](C& c, const Params& p) { c.*m = p.real(name); }};
}

// A key that may stay unset (adafactor's beta1: no first moment without it).
template <class C>
Field<C> optional_key(std::optional<double> C::*m, std::string name, std::string help,
                      Range range = Range::any) {
  return {real_key(name, "", std::move(help), range), [m, name](C& c, const Params& p) {
            if (p.has(name)) c.*m = p.real(name);
          }};
}

template <class C, std::integral I>
Field<C> int_key(I C::*m, std::string name, std::string def, std::string help,
                 Range range = Range::any) {
  return {int_key(name, std::move(def), std::move(help), range),
          [m, name](C& c, const Params& p) { c.*m = static_cast<I>(p.integer(name)); }};
}

template <class C>
Field<C> flag_key(bool C::*m, std::string name, std::string def, std::string help) {
  return {flag_key(name, std::move(def), std::move(help)),
          [m, name](C& c, const Params& p) { c.*m = p.flag(name); }};
}

template <class C, class E>
Field<C> choice_key(E C::*m, std::string name, std::string def, std::string help,
                    std::vector<std::pair<std::string, E>> options) {
  std::vector<std::string> words;
  for (const auto& [word, value] : options) words.push_back(word);
  return {choice_key(name, std::move(def), std::move(help), std::move(words)),
          [m, name, options](C& c, const Params& p) {
            for (const auto& [word, value] : options)
              if (p.text(name) == word) c.*m = value;  // bind_spec admits only these words
          }};
}

// Fields of a member struct (a Config holding WolfeConditions), as fields of the whole.
template <class C, class Inner>
Fields<C> member_keys(Inner C::*m, const Fields<Inner>& inner) {
  Fields<C> out;
  for (const Field<Inner>& f : inner)
    out.push_back({f.key, [m, read = f.read](C& c, const Params& p) { read(c.*m, p); }});
  return out;
}

// Field tables joined in order.
template <class C>
Fields<C> join(std::initializer_list<Fields<C>> parts) {
  Fields<C> all;
  for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

template <class C>
std::vector<Key> keys_of(const Fields<C>& fields) {
  std::vector<Key> keys;
  for (const Field<C>& f : fields) keys.push_back(f.key);
  return keys;
}

// A Config has static fields() and may have check(), which rejects combinations that each key
// alone allows (c1 < c2 of a line search).
template <class C>
concept Configurable = std::default_initializable<C> && requires {
  { C::fields() } -> std::convertible_to<Fields<C>>;
};

// Each field's value from checked Params into c.
template <class C>
void read_fields(const Fields<C>& fields, const Params& p, C& c) {
  for (const Field<C>& f : fields) f.read(c, p);
}

template <Configurable C>
C read_config(const Params& p) {
  static const Fields<C> fields = C::fields();  // built once: a sweep reads a Config per run
  C c{};
  read_fields(fields, p, c);
  if constexpr (requires { c.check(); }) c.check();
  return c;
}

template <Configurable C>
std::vector<Key> keys_of() {
  return keys_of(C::fields());
}

}  // namespace descent
