#include "lib/schedule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace descent {
namespace {

std::vector<Key> with_common(std::vector<Key> keys) {
  keys.push_back(int_key("warmup", "0", "linear warm-up over this many steps", Range::nonnegative));
  keys.push_back(choice_key("unit", "iter", "t counts iterations or epochs", {"iter", "epoch"}));
  return keys;
}

const ScheduleInfo& find_schedule(const Spec& s) {
  for (const auto& info : schedule_registry())
    if (info.name == s.name) return info;
  throw UsageError(
      fmt::format("schedule spec '{}': unknown schedule '{}' (known: constant, step, "
                  "exp, inverse, cosine)",
                  s.text, s.name));
}

}  // namespace

const std::vector<ScheduleInfo>& schedule_registry() {
  static const std::vector<ScheduleInfo> all = {
      {"constant", "1", with_common({})},
      {"step", "γ^⌊t/n⌋",
       with_common({int_key("every", "100", "n: steps between decays", Range::at_least_one),
                    real_key("gamma", "0.1", "γ: factor per decay", Range::positive)})},
      {"exp", "γ^t, or e^(−k t) when k is given",
       with_common({real_key("gamma", "", "γ (give gamma or k)", Range::positive),
                    real_key("k", "", "k (give gamma or k)", Range::nonnegative)})},
      {"inverse", "1/(1 + k t)",
       with_common({real_key("k", "0.01", "decay rate k", Range::nonnegative)})},
      {"cosine", "m + (1 − m)(1 + cos(π min(t,T)/T))/2",
       with_common({int_key("steps", "1000", "T: length of the decay", Range::at_least_one),
                    real_key("min", "0", "m: final multiplier", Range::unit_closed)})},
  };
  return all;
}

Schedule Schedule::parse(std::string_view text) {
  const Spec s = parse_spec(text);
  return Schedule(bind_spec(s, find_schedule(s).keys, "schedule"));
}

Schedule::Schedule(const Params& p) : spec_(p.canonical()) {
  warmup_ = p.integer("warmup");
  per_epoch_ = p.text("unit") == "epoch";
  const std::string& name = p.name();
  if (name == "step") {
    kind_ = Kind::step;
    a_ = static_cast<double>(p.integer("every"));
    b_ = p.real("gamma");
  } else if (name == "exp") {
    if (p.has("gamma") == p.has("k"))
      throw UsageError(
          fmt::format("schedule spec '{}': give exactly one of key 'gamma' and key 'k'", spec_));
    kind_ = p.has("gamma") ? Kind::exp_gamma : Kind::exp_k;
    a_ = p.has("gamma") ? p.real("gamma") : p.real("k");
  } else if (name == "inverse") {
    kind_ = Kind::inverse;
    a_ = p.real("k");
  } else if (name == "cosine") {
    kind_ = Kind::cosine;
    a_ = static_cast<double>(p.integer("steps"));
    b_ = p.real("min");
  }
}

double Schedule::operator()(long step, long epoch) const {
  const double t = static_cast<double>(per_epoch_ ? epoch : step);
  double m = 1;
  switch (kind_) {
    case Kind::constant:
      break;
    case Kind::step:
      m = std::pow(b_, std::floor(t / a_));
      break;
    case Kind::exp_gamma:
      m = std::pow(a_, t);
      break;
    case Kind::exp_k:
      m = std::exp(-a_ * t);
      break;
    case Kind::inverse:
      m = 1 / (1 + a_ * t);
      break;
    case Kind::cosine:
      m = b_ + (1 - b_) * (1 + std::cos(std::numbers::pi * std::min(t, a_) / a_)) / 2;
      break;
  }
  if (warmup_ > 0) m *= std::min(1.0, static_cast<double>(step + 1) / static_cast<double>(warmup_));
  return m;
}

}  // namespace descent
