// The limits on sizes, and the one checked conversion of a number that becomes a count, an
// index, a size or a seed. Every such number (a spec key, an experiment key, a command-line
// option, a field of a data file) goes through `to_count` before anything is allocated or
// looped over, so that a value out of range is a usage error naming the key and the limit,
// never a wrapped integer, a division by zero or an allocation that takes the machine down.
// The limits are far above any benchmark here (a few GB of memory at most, on 2 cores) and
// listed in the README's "Failures" section (`descent list limits` prints them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace descent {

namespace limits {
inline constexpr std::int64_t parameters = 10'000'000;        // a problem's dimension
inline constexpr std::int64_t dense_entries = 50'000'000;     // a dense matrix: d² of a rotation
inline constexpr std::int64_t samples = 10'000'000;           // rows of a data set
inline constexpr std::int64_t features = 1'000'000;           // columns of a data set
inline constexpr std::int64_t data_entries = 200'000'000;     // samples × features, dense
inline constexpr std::int64_t classes = 100'000;              // labels of a data set
inline constexpr std::int64_t axis_values = 100'000;          // values of one grid axis
inline constexpr std::int64_t runs = 10'000'000;              // runs of one sweep
inline constexpr std::int64_t seeds = 100'000;                // repetitions per configuration
inline constexpr std::int64_t log_points = 1'000'000;         // logged points of one run
inline constexpr std::int64_t steps = 1'000'000'000'000;      // steps of one run (iters, evals)
inline constexpr double epochs = 1e9;                         // epochs of one run
inline constexpr std::int64_t threads = 1024;                 // --threads
inline constexpr std::int64_t file_bytes = 4'000'000'000;     // a data or results file
inline constexpr std::int64_t experiment_bytes = 16'000'000;  // an experiment file
inline constexpr std::int64_t spec_integer = 2'147'483'647;   // any other integer key: an int
}  // namespace limits

struct Limit {
  std::string name, value, what;
};
// The limits above, for `descent list limits` and the README.
std::vector<Limit> all_limits();

// `v` as a whole number in [lo, hi]: finite, integral and in range, or a UsageError
// "<what> = <v>: <why>" (e.g. "log.points = 1e+09: at most 1000000 (points logged per run)").
// `limit` names the limit `hi` stands for, if any, in the message.
std::int64_t to_count(double v, std::string_view what, std::int64_t lo, std::int64_t hi,
                      std::string_view limit = {});

// The same for text (a command-line option, a file's field): the whole text must be a number.
std::int64_t to_count(std::string_view text, std::string_view what, std::int64_t lo,
                      std::int64_t hi, std::string_view limit = {});

// A UsageError when `count` (a product of sizes, in double so that it cannot wrap) exceeds
// `limit`, named `limit_name`; `what` says what is counted, from which spec.
void check_size(double count, std::int64_t limit, std::string_view limit_name,
                std::string_view what);

// A seed: a whole number in [0, 2^64 − 1], read exactly from its digits (a double would round
// seeds above 2^53).
std::uint64_t to_seed(std::string_view text, std::string_view what);

}  // namespace descent
