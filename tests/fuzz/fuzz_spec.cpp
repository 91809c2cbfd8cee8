// libFuzzer target: one input line as a problem, optimizer and schedule spec. A malformed spec
// must end in UsageError (the CLI's one `error:` line); anything else (another exception, a
// sanitizer report, a crash) is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lib/optimizer_registry.hpp"
#include "lib/schedule.hpp"
#include "problems/registry.hpp"

namespace {

template <class F>
void expect_usage_errors_only(F&& f) {
  try {
    f();
  } catch (const descent::UsageError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view spec(reinterpret_cast<const char*>(data), size);
  expect_usage_errors_only([&] { descent::parse_problem(spec); });
  expect_usage_errors_only([&] { descent::parse_optimizer(spec); });
  expect_usage_errors_only([&] { descent::Schedule::parse(spec); });
  return 0;
}
