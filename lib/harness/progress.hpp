// The progress line of a sweep on a terminal: "k/N runs, s elapsed, ETA"; nothing otherwise, so
// that logs and pipes see only the final summary.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdio>

namespace descent {

class Progress {
 public:
  Progress(std::size_t total, bool quiet) : total_(total), on_(!quiet && isatty(STDERR_FILENO)) {}
  void update(std::size_t done) {
    if (!on_) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const double eta = done ? elapsed / double(done) * double(total_ - done) : 0;
    fmt::print(stderr, "\r{}/{} runs, {:.0f} s elapsed, ETA {:.0f} s   ", done, total_, elapsed,
               eta);
  }
  void finish() {
    if (on_) fmt::print(stderr, "\n");
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::size_t total_;
  bool on_;
  Clock::time_point start_ = Clock::now();
};

}  // namespace descent
