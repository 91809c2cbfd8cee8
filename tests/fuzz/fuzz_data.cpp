// libFuzzer target: a data file (CSV or LIBSVM, detected by content as for `data=path`). The
// readers take paths, so the input is written to a file in /dev/shm (or the temp folder) first.
// A malformed file must end in UsageError naming the file and line.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "problems/datasets.hpp"

namespace {

std::filesystem::path input_file() {
  const std::filesystem::path shm = "/dev/shm";
  const auto folder =
      std::filesystem::is_directory(shm) ? shm : std::filesystem::temp_directory_path();
  return folder / ("descent-fuzz-data-" + std::to_string(::getpid()) + ".data");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path path = input_file();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) __builtin_trap();
  try {
    descent::read_data_file(path);
  } catch (const descent::UsageError&) {
  }
  std::filesystem::remove(path);
  return 0;
}
