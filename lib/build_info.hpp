// What made a binary: the facts of the build that decide a run's numbers (the ISA level, flags,
// compiler, Eigen and glibc), and the source it came from. meta.json and `descent --version`
// both print this list, and the convergence gate compares it with the committed tables' own.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace descent {

struct BuildFact {
  std::string key, value;
};

// The facts that decide a run's numbers, in a fixed order: version, build (portable | native),
// isa, build_type, flags, compiler, eigen, eigen_cache_sizes, glibc. Two binaries whose facts
// are equal give the same results on every CPU of the ISA level; the commit and the CPU are
// not among them (a commit that changes the numbers changes the committed results with it).
std::vector<BuildFact> build_facts();

std::string version();     // the project's, e.g. 0.1.0
std::string git_commit();  // of the source tree the binary was built from, "+dirty" if changed
std::string cpu_model();   // of the machine running now, from /proc/cpuinfo

}  // namespace descent
