#include "lib/trace_csv.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "lib/csv.hpp"

namespace descent {

std::string trace_value(const TracePoint& p, std::string_view column, std::optional<double> fstar) {
  auto finite_or_empty = [](double v) { return std::isnan(v) ? std::string() : format_number(v); };
  if (column == "iter") return fmt::format("{}", p.iter);
  if (column == "epoch") return format_number(p.epoch);
  if (column == "time_s") return format_number(p.time_s);
  if (column == "loss") return format_number(p.loss);
  if (column == "grad_norm") return format_number(p.grad_norm);
  if (column == "grad_evals") return fmt::format("{}", p.grad_evals);
  if (column == "gap") return fstar ? format_number(p.loss - *fstar) : "";
  if (column == "test_loss") return finite_or_empty(p.test_loss);
  if (column == "test_acc") return finite_or_empty(p.test_acc);
  throw std::logic_error(fmt::format("no trace column '{}'", column));
}

void write_trace_csv(const std::filesystem::path& path, const Problem& problem,
                     const RunResult& result) {
  const auto fstar = problem.optimum();
  const bool with_x = !result.xs.empty();
  std::vector<std::string> header = {"iter", "epoch", "time_s", "loss", "grad_norm", "grad_evals"};
  if (fstar) header.push_back("gap");
  if (problem.has_test_set()) header.insert(header.end(), {"test_loss", "test_acc"});
  const std::size_t values = header.size();
  if (with_x)
    for (Index i = 0; i < problem.dim(); ++i) header.push_back(fmt::format("x{}", i));
  CsvWriter out(path, header);
  std::vector<std::string> row;
  for (std::size_t k = 0; k < result.trace.size(); ++k) {
    const TracePoint& p = result.trace[k];
    row.clear();
    for (std::size_t c = 0; c < values; ++c) row.push_back(trace_value(p, header[c], fstar));
    if (with_x)
      for (double v : result.xs[k]) row.push_back(format_number(v));
    out.row(row);
  }
  out.commit();
}

}  // namespace descent
