// libFuzzer target: an experiment file (TOML) as `descent sweep` reads it, then its runs when
// there are few enough to build quickly. A malformed file must end in UsageError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lib/harness/experiment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const descent::Experiment e = descent::parse_experiment(text, "fuzz.toml");
    // Within the limits a sweep may have millions of runs; building them is not parsing.
    if (descent::run_count(e) <= 1000) descent::expand(e);
  } catch (const descent::UsageError&) {
  }
  return 0;
}
