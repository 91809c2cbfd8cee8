#include "lib/problem.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace descent {

Layout vector_layout(Index n) { return {vector_block("x", 0, n)}; }

Block matrix_block(std::string name, Index offset, Index rows, Index cols, Index stride) {
  return {std::move(name), offset, rows, cols, stride, true};
}

Block vector_block(std::string name, Index offset, Index n, Index stride) {
  return {std::move(name), offset, n, 1, stride, false};
}

std::string describe(const Layout& layout) {
  std::vector<std::string> parts;
  for (const Block& b : layout)
    parts.push_back(b.matrix ? fmt::format("{} {}×{}", b.name, b.rows, b.cols)
                             : fmt::format("{} {}", b.name, b.rows));
  return fmt::format("{}", fmt::join(parts, ", "));
}

bool has_matrix(const Layout& layout) {
  return std::any_of(layout.begin(), layout.end(), [](const Block& b) { return b.matrix; });
}

Index layout_dim(const Layout& layout) {
  Index n = 0;
  for (const Block& b : layout) n += b.size();
  return n;
}

void Problem::view_as(Index rows, Index cols) {
  if (rows < 1 || cols < 1 || rows * cols != dim())
    throw UsageError(fmt::format("problem '{}': shape={}x{} does not match its dimension {}",
                                 spec(), rows, cols, dim()));
  view_ = Layout{matrix_block("X", 0, rows, cols, cols)};
}

}  // namespace descent
