#include "lib/trace_csv.hpp"

#include <fmt/format.h>

#include <cmath>

#include "lib/csv.hpp"

namespace descent {
namespace {

std::string integer(Index v) { return fmt::format("{}", v); }
std::string finite_or_empty(double v) { return std::isnan(v) ? std::string() : format_number(v); }
using Fstar = std::optional<double>;

}  // namespace

const std::vector<TraceColumn>& trace_columns() {
  using N = TraceColumn::Needs;
  using A = TraceColumn::Axis;
  // clang-format off
  static const std::vector<TraceColumn> all = {
      {"iter", "iterations", "steps taken; row 0 is the start point, row k the state after k steps",
       [](const TracePoint& p, Fstar) { return integer(p.iter); }, A::progress},
      {"epoch", "epochs", "passes over the training data (= iter for problems without data)",
       [](const TracePoint& p, Fstar) { return format_number(p.epoch); }, A::progress},
      {"grad_evals", "gradient evaluations", "gradient evaluations spent by the optimizer so far",
       [](const TracePoint& p, Fstar) { return integer(p.grad_evals); }, A::progress},
      {"time_s", "wall-clock time (s)", "wall-clock seconds since the run started",
       [](const TracePoint& p, Fstar) { return format_number(p.time_s); }, A::progress, true, N::nothing, true},
      {"loss", "loss f(x)", "full objective at the iterate, where the optimizer takes its gradient",
       [](const TracePoint& p, Fstar) { return format_number(p.loss); }},
      {"eval_loss", "loss f(x)",
       "full objective at the optimizer's evaluation point (schedule-free's average x, ASGD's ax); "
       "= loss for the others. gap, the test metrics, targets and runs.csv judge the run here",
       [](const TracePoint& p, Fstar) { return format_number(p.eval_loss); }},
      {"gap", "optimality gap f(x) − f*", "eval_loss − f* (problems with a known optimum)",
       [](const TracePoint& p, Fstar f) { return f ? format_number(p.eval_loss - *f) : ""; }, A::value, true, N::optimum},
      {"grad_norm", "gradient norm ‖∇f(x)‖", "2-norm of the full gradient at the iterate",
       [](const TracePoint& p, Fstar) { return format_number(p.grad_norm); }},
      {"test_loss", "test loss", "mean cross-entropy on the held-out test part, at the evaluation point (classification problems)",
       [](const TracePoint& p, Fstar) { return finite_or_empty(p.test_loss); }, A::value, true, N::test_set},
      {"test_acc", "test accuracy", "accuracy on the held-out test part, at the evaluation point (classification problems)",
       [](const TracePoint& p, Fstar) { return finite_or_empty(p.test_acc); }, A::value, false, N::test_set},
  };
  // clang-format on
  return all;
}

std::vector<const TraceColumn*> trace_columns_of(const Problem& problem) {
  std::vector<const TraceColumn*> out;
  for (const TraceColumn& c : trace_columns())
    if (c.needs == TraceColumn::Needs::nothing ||
        (c.needs == TraceColumn::Needs::optimum && problem.optimum()) ||
        (c.needs == TraceColumn::Needs::test_set && problem.has_test_set()))
      out.push_back(&c);
  return out;
}

void write_trace_csv(const std::filesystem::path& path, const Problem& problem,
                     const RunResult& result) {
  const auto fstar = problem.optimum();
  const auto columns = trace_columns_of(problem);
  std::vector<std::string> header;
  for (const TraceColumn* c : columns) header.push_back(c->name);
  const bool with_x = !result.xs.empty();
  if (with_x)
    for (Index i = 0; i < problem.dim(); ++i) header.push_back(fmt::format("x{}", i));
  CsvWriter out(path, header);
  std::vector<std::string> row;
  for (std::size_t k = 0; k < result.trace.size(); ++k) {
    row.clear();
    for (const TraceColumn* c : columns) row.push_back(c->value(result.trace[k], fstar));
    if (with_x)
      for (double v : result.xs[k]) row.push_back(format_number(v));
    out.row(row);
  }
  out.commit();
}

}  // namespace descent
