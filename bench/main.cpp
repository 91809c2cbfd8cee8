#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "bench/cli.hpp"
#include "lib/spec.hpp"

int main(int argc, char** argv) {
  try {
    return descent::cli::main(argc, argv);
  } catch (const descent::UsageError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: internal: {}\n", e.what());
    return 1;
  }
}
