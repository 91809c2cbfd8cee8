// What the problem tests share: scratch files, UsageError messages, values and gradients.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "lib/problem.hpp"

namespace descent::testing {

// A file in a per-process temp folder (ctest runs test cases in parallel processes).
inline std::filesystem::path temp_file(const std::string& name, const std::string& content) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("descent_problems_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream(path) << content;
  return path;
}

// The message of the UsageError that f throws.
template <class F>
std::string usage_error(F&& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no UsageError)";
}

inline double value(const Problem& p, const VecX& x) {
  VecX g(p.dim());
  return p.loss_grad(x, g);
}

inline VecX gradient(const Problem& p, const VecX& x) {
  VecX g(p.dim());
  p.loss_grad(x, g);
  return g;
}

template <class P>
const P& as(const std::unique_ptr<Problem>& p) {
  const auto* q = dynamic_cast<const P*>(p.get());
  REQUIRE(q != nullptr);
  return *q;
}

}  // namespace descent::testing
