// Runs the `descent` binary as a user would and captures what it says, for the CLI tests.
#pragma once

#include <string>

namespace descent::testing {

struct Outcome {
  int status;  // exit status (-1: killed by a signal)
  std::string out, err;
};

Outcome run_descent(const std::string& args);
std::string slurp(const std::string& path);

}  // namespace descent::testing
