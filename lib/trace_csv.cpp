#include "lib/trace_csv.hpp"

#include <fmt/format.h>

#include "lib/csv.hpp"

namespace descent {

void write_trace_csv(const std::filesystem::path& path, const Problem& problem,
                     const RunResult& result) {
  const auto fstar = problem.optimum();
  const bool with_x = !result.xs.empty();
  std::vector<std::string> header = {"iter", "epoch", "time_s", "loss", "grad_norm", "grad_evals"};
  if (fstar) header.push_back("gap");
  if (problem.has_test_set()) header.insert(header.end(), {"test_loss", "test_acc"});
  if (with_x)
    for (Index i = 0; i < problem.dim(); ++i) header.push_back(fmt::format("x{}", i));
  CsvWriter out(path, header);
  std::vector<std::string> row;
  for (std::size_t k = 0; k < result.trace.size(); ++k) {
    const TracePoint& p = result.trace[k];
    row = {fmt::format("{}", p.iter), format_number(p.epoch),     format_number(p.time_s),
           format_number(p.loss),     format_number(p.grad_norm), fmt::format("{}", p.grad_evals)};
    if (fstar) row.push_back(format_number(p.loss - *fstar));
    if (problem.has_test_set())
      row.insert(row.end(), {format_number(p.test_loss), format_number(p.test_acc)});
    if (with_x)
      for (double v : result.xs[k]) row.push_back(format_number(v));
    out.row(row);
  }
  out.commit();
}

}  // namespace descent
