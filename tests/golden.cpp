#include "tests/golden.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "lib/csv.hpp"
#include "lib/optimizer_registry.hpp"
#include "lib/run.hpp"
#include "problems/registry.hpp"

namespace descent::testing {

// One folder of cases: cases.csv and losses.csv (with eval_loss in the modern set).
std::vector<GoldenCase> golden_set(const std::string& set) {
  const std::string dir = DESCENT_SOURCE_DIR "/tests/golden/" + set;
  const CsvTable cases = read_csv(dir + "cases.csv");
  const CsvTable losses = read_csv(dir + "losses.csv");
  std::vector<GoldenCase> out;
  std::map<int, std::size_t> index;  // case id -> position in out
  for (const auto& row : cases.rows) {
    GoldenCase c{std::stoi(row[cases.column("case")]),
                 set,
                 row[cases.column("problem")],
                 row[cases.column("optimizer")],
                 row[cases.column("schedule")],
                 {},
                 std::stol(row[cases.column("iters")]),
                 {},
                 {}};
    std::vector<double> x0;
    std::stringstream in(row[cases.column("x0")]);
    for (std::string item; std::getline(in, item, ';');) x0.push_back(std::stod(item));
    c.x0 = Eigen::Map<VecX>(x0.data(), Index(x0.size()));
    if (c.schedule.empty()) c.schedule = "constant";
    index[c.id] = out.size();
    out.push_back(c);
  }
  const auto id = losses.column("case"), iter = losses.column("iter"), loss = losses.column("loss");
  const bool with_eval = losses.has("eval_loss");
  const auto eval_loss = with_eval ? losses.column("eval_loss") : 0;
  for (const auto& row : losses.rows) {
    GoldenCase& c = out.at(index.at(std::stoi(row[id])));
    if (std::stol(row[iter]) != long(c.losses.size())) throw std::runtime_error("losses.csv order");
    c.losses.push_back(std::stod(row[loss]));
    if (with_eval) c.eval_losses.push_back(std::stod(row[eval_loss]));
  }
  return out;
}

std::vector<GoldenCase> golden_cases() {
  std::vector<GoldenCase> all = golden_set("");
  for (GoldenCase& c : golden_set("modern/")) all.push_back(std::move(c));
  return all;
}

Replayed replay(const GoldenCase& c) {
  const auto problem = make_problem(c.problem, 0);
  auto optimizer = make_optimizer<double>(parse_optimizer(c.optimizer), problem->layout());
  RunSettings settings;
  settings.budget.iters = c.iters;
  settings.x0 = c.x0;
  const RunResult r = run(*problem, *optimizer, Schedule::parse(c.schedule), settings);
  Replayed out;
  for (const auto& p : r.trace) {
    out.losses.push_back(p.loss);
    out.eval_losses.push_back(p.eval_loss);
  }
  return out;
}

double max_relative_error(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return INFINITY;
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(std::abs(b[i]), 1e-300));
  return worst;
}

}  // namespace descent::testing
