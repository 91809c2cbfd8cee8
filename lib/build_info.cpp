#include "lib/build_info.hpp"

#include <fmt/format.h>
#include <gnu/libc-version.h>
#include <unistd.h>

#include <Eigen/Core>
#include <cstdio>
#include <fstream>

namespace descent {
namespace {

// The first line a shell command prints, or `fallback`.
std::string first_line_of(const std::string& command, const std::string& fallback) {
  std::FILE* p = popen(command.c_str(), "r");
  if (!p) return fallback;
  char buffer[512] = {};
  const bool got = std::fgets(buffer, sizeof buffer, p) != nullptr;
  pclose(p);
  std::string line = got ? buffer : "";
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line.empty() ? fallback : line;
}

// Eigen sizes its GEMM blocks from these; with EIGEN_NO_CPUID they are its fixed defaults
// instead of the running CPU's caches, so that a product sums in the same order everywhere.
std::string eigen_cache_sizes() {
#ifdef EIGEN_NO_CPUID
  const char* source = "fixed";
#else
  const char* source = "from this CPU";
#endif
  std::ptrdiff_t l1 = 0, l2 = 0, l3 = 0;
  Eigen::internal::manage_caching_sizes(Eigen::GetAction, &l1, &l2, &l3);
  return fmt::format("{} (L1 {} KiB, L2 {} KiB, L3 {} KiB)", source, l1 / 1024, l2 / 1024,
                     l3 / 1024);
}

#if defined(__x86_64__) && defined(__AVX2__)
// A build for x86-64-v3 on an older CPU would die of SIGILL somewhere; this says why instead.
// It runs before every static initializer of the program (priority 101) and is compiled for the
// baseline ISA, so that it runs anywhere.
__attribute__((constructor(101), target("arch=x86-64"))) void require_isa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return;
  std::fputs("error: this descent was built for " DESCENT_ISA
             " (AVX2 and FMA), which this CPU lacks; build it for this CPU with cmake "
             "-DDESCENT_NATIVE=ON (its results are then this machine's own)\n",
             stderr);
  _exit(2);
}
#endif

}  // namespace

std::string version() { return DESCENT_VERSION; }

std::string git_commit() {
  const std::string dir = DESCENT_SOURCE_DIR;
  const std::string commit =
      first_line_of("git -C '" + dir + "' rev-parse HEAD 2>/dev/null", "unknown");
  const std::string dirty =
      first_line_of("git -C '" + dir + "' status --porcelain --untracked-files=no 2>/dev/null", "");
  return dirty.empty() ? commit : commit + "+dirty";
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

std::vector<BuildFact> build_facts() {
  return {
      {"version", version()},
      {"build", DESCENT_BUILD_KIND},
      {"isa", DESCENT_ISA},
      {"build_type", DESCENT_BUILD_TYPE},
      {"flags", DESCENT_FLAGS},
      {"compiler", DESCENT_COMPILER},
      {"eigen",
       fmt::format("{}.{}.{}", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION)},
      {"eigen_cache_sizes", eigen_cache_sizes()},
      {"glibc", gnu_get_libc_version()},
  };
}

}  // namespace descent
