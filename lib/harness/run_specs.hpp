// One run from its specs: the problem instance, the optimizer and the schedule, each parsed and
// checked, then run by the run loop (lib/run.hpp) any number of times. `descent run`, the sweep,
// the benchmarks and the tests all build their runs here, so that a run means the same thing
// everywhere.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "lib/optimizer.hpp"
#include "lib/run.hpp"
#include "lib/schedule.hpp"

namespace descent {

// The value of `--dtype` (descent run, descent.run); a UsageError names the option.
Dtype dtype_option(const std::string& text);

class SpecRun {
 public:
  // The problem instance from (problem spec, seed). The optimizer and schedule specs are checked
  // first, so that a typo is reported before any data set is loaded.
  // float32: a UsageError when the problem or the optimizer has no float path.
  SpecRun(const std::string& problem, const std::string& optimizer, const std::string& schedule,
          std::uint64_t seed, Dtype dtype = Dtype::float64);
  // On an instance built before (a sweep's thread reuses its instances); it must outlive this.
  SpecRun(const Problem& problem, const std::string& optimizer, const std::string& schedule,
          Dtype dtype = Dtype::float64);

  const Problem& problem() const { return *problem_; }
  const Params& optimizer() const { return params_; }
  const Schedule& schedule() const { return schedule_; }
  Dtype dtype() const { return optimizer_f_ ? Dtype::float32 : Dtype::float64; }
  // Each call starts from the optimizer's initial state (the run loop resets it).
  RunResult run(const RunSettings& settings);

 private:
  SpecRun(const std::string& optimizer, const std::string& schedule);
  void make_for(const Problem& problem, Dtype dtype);
  Params params_;
  Schedule schedule_;
  std::unique_ptr<Problem> owned_;
  const Problem* problem_ = nullptr;
  std::unique_ptr<Optimizer<double>> optimizer_;   // float64 runs
  std::unique_ptr<Optimizer<float>> optimizer_f_;  // float32 runs
};

}  // namespace descent
