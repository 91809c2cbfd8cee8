#include "lib/limits.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "lib/csv.hpp"
#include "lib/spec.hpp"

namespace descent {

std::vector<Limit> all_limits() {
  const auto n = [](auto v) { return fmt::format("{}", v); };
  return {
      {"parameters", n(limits::parameters), "a problem's dimension (its parameter count)"},
      {"dense_entries", n(limits::dense_entries),
       "entries of a dense matrix a problem holds (d² of a rotated quadratic)"},
      {"samples", n(limits::samples), "rows of a data set"},
      {"features", n(limits::features), "columns of a data set (LIBSVM indices)"},
      {"data_entries", n(limits::data_entries), "samples × features of a data set"},
      {"classes", n(limits::classes), "classes of a data set"},
      {"axis_values", n(limits::axis_values), "values of one grid axis ({ logspace, n })"},
      {"runs", n(limits::runs), "runs of one sweep"},
      {"seeds", n(limits::seeds), "repetitions per configuration"},
      {"log_points", n(limits::log_points), "logged points of one run"},
      {"steps", n(limits::steps), "steps of one run (iters, grad_evals)"},
      {"epochs", fmt::format("{:g}", limits::epochs), "epochs of one run"},
      {"threads", n(limits::threads), "--threads"},
      {"file_bytes", n(limits::file_bytes), "bytes of a data or results file"},
      {"experiment_bytes", n(limits::experiment_bytes), "bytes of an experiment file"},
      {"spec_integer", n(limits::spec_integer), "any other integer key of a spec"},
  };
}

std::int64_t to_count(double v, std::string_view what, std::int64_t lo, std::int64_t hi,
                      std::string_view limit) {
  const auto fail = [&](std::string_view why) {
    return UsageError(fmt::format("{} = {}: {}", what, format_number(v), why));
  };
  if (!std::isfinite(v)) throw fail("expected a finite whole number");
  if (v != std::floor(v)) throw fail("expected a whole number");
  if (v < double(lo)) throw fail(fmt::format("must be at least {}", lo));
  if (v > double(hi))
    throw fail(limit.empty() ? fmt::format("at most {}", hi)
                             : fmt::format("at most {} (limit '{}')", hi, limit));
  return static_cast<std::int64_t>(v);
}

std::int64_t to_count(std::string_view text, std::string_view what, std::int64_t lo,
                      std::int64_t hi, std::string_view limit) {
  double v = 0;
  if (!parse_double(text, v))
    throw UsageError(fmt::format("{} = '{}': expected a whole number", what, text));
  return to_count(v, what, lo, hi, limit);
}

void check_size(double count, std::int64_t limit, std::string_view limit_name,
                std::string_view what) {
  if (count > double(limit))
    throw UsageError(fmt::format("{}: {:.4g} is more than the limit '{}' of {}", what, count,
                                 limit_name, limit));
}

std::uint64_t to_seed(std::string_view text, std::string_view what) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    throw UsageError(
        fmt::format("{} = '{}': expected a whole number from 0 to 18446744073709551615 (digits "
                    "only)",
                    what, text));
  return v;
}

}  // namespace descent
