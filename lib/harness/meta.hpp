// meta.json: what produced a sweep's results: the build's facts (lib/build_info.hpp), the CPU,
// threads, date, the experiment file as read, how run seeds were derived and where each
// optimizer and problem comes from.
#pragma once

#include <filesystem>

#include "lib/harness/experiment.hpp"

namespace descent {

struct SweepFacts {
  int threads;
  std::string shard;  // "I/N"
  std::size_t runs;
};

void write_meta(const std::filesystem::path& path, const Experiment& e, const SweepFacts& facts);

}  // namespace descent
