// Learning-rate schedules: the multiplier of the base rate for the step with 0-based index t.
//
//   constant                  1
//   step:every=n,gamma=γ      γ^⌊t/n⌋
//   exp:gamma=γ               γ^t            (torch ExponentialLR)
//   exp:k=k                   e^(−k t)       (the course notes' form; give gamma or k)
//   inverse:k=k               1 / (1 + k t)
//   cosine:steps=T,min=m      m + (1 − m)(1 + cos(π min(t, T)/T))/2
//
// Every schedule also takes `warmup=w` (multiplies by min(1, (t + 1)/w), a linear ramp over the
// first w steps) and `unit=iter|epoch` (t counts steps, or completed epochs, so that per-epoch
// decay such as 1/(1 + k·epoch) is `inverse:k=k,unit=epoch`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/spec.hpp"

namespace descent {

struct ScheduleInfo {
  std::string name;
  std::string summary;
  std::vector<Key> keys;  // including warmup and unit
};

const std::vector<ScheduleInfo>& schedule_registry();

class Schedule {
 public:
  Schedule() = default;  // constant
  explicit Schedule(const Params& p);
  static Schedule parse(std::string_view spec);

  // The multiplier for step `step`, which lies in epoch `epoch` (both 0-based).
  double operator()(long step, long epoch) const;
  bool is_constant() const { return kind_ == Kind::constant && warmup_ == 0; }
  const std::string& spec() const { return spec_; }

 private:
  enum class Kind { constant, step, exp_gamma, exp_k, inverse, cosine };
  Kind kind_ = Kind::constant;
  double a_ = 0, b_ = 0;  // the schedule's two numbers, named in operator()
  long warmup_ = 0;
  bool per_epoch_ = false;
  std::string spec_ = "constant";
};

}  // namespace descent
