// Experiment files (TOML): one comparison described once, expanded into runs.
//
//   name = "conditioning"
//   problems = ["quadratic:dim=100,cond=1e2,rotate=1"]
//   seeds = 5                          # repetitions per configuration (default 1)
//   seed = 0                           # base seed; run seeds derive from it and the repetition
//   budget = { iters = 5000 }          # or epochs, grad_evals; `seconds` adds a time limit
//   target = { gap = 1e-6 }            # or rel_gap, loss, test_acc
//   log = { points = 100 }             # log-spaced logging points, or every = k
//   tune = { metric = "iters_to_target", stat = "median" }
//   batch = 64                         # default batch size (data problems; 0 = full)
//   dtype = "float32"                  # or ["float64", "float32"], each run in each (default
//                                      # float64; float32 needs the problems' and optimizers'
//                                      # float path); a table's own dtype overrides it
//   diverge = 1e6                      # diverged when loss − f* > this × its start value
//   search = { method = "random", samples = 64 }   # default: grid
//   # random search, for budget.csv (Dodge et al. 2019): defaults = true adds, per problem ×
//   # table × schedule × batch × seed, one run at the default hyperparameters (k = 0: every
//   # searched key at its registry default, single values kept), before the table's samples;
//   # budgets = [1, 4, 64] the k values of budget.csv (default: the powers of 2 below N, and N;
//   # N = samples × schedules × batches of the table; each 1 <= k <= N; grid search: an error)
//   search = { method = "random", samples = 64, defaults = true, budgets = [1, 4, 64] }
//   [optimizers.momentum]              # label; `optimizer = "name"` when it differs
//   lr = { logspace = [1e-4, 1.0], n = 13 }
//   momentum = [0.9, 0.99]
//   schedule = ["constant", "cosine:steps=5000"]
//   batch = [1, 32]
//   dtype = "float32"
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lib/run.hpp"
#include "lib/spec.hpp"

namespace descent {

// One hyperparameter of an optimizer table: a list of values, or a range to sample.
struct Axis {
  std::string key;
  std::vector<std::string> values;  // grid values, as spec text
  enum class Dist { none, uniform, loguniform } dist = Dist::none;
  double low = 0, high = 0;
};

struct OptimizerPlan {
  std::string label;      // the table's name
  std::string optimizer;  // registered optimizer name
  std::vector<Axis> axes;
  std::vector<std::string> schedules;
  std::vector<Index> batches;
  std::vector<Dtype> dtypes;
  long line = 0;  // where the table starts, for messages
};

struct Experiment {
  std::string name;
  std::string source;  // path, for messages
  std::string text;    // the file as read
  std::vector<std::string> problems;
  int seeds = 1;
  std::uint64_t seed = 0;
  Budget budget;
  std::optional<Target> target;
  LogPlan log{1, 100};
  std::string tune_metric = "final_loss", tune_stat = "median";
  double diverge_factor = 1e6;
  int random_samples = 0;        // > 0: random search with this many configurations per optimizer
  bool search_defaults = false;  // random search: also runs at the default hyperparameters
  std::vector<int> budgets;      // random search: budget.csv's k values; empty: 1, 2, 4, …, N
  std::vector<OptimizerPlan> optimizers;
};

Experiment load_experiment(const std::filesystem::path& path);
Experiment parse_experiment(std::string_view text, const std::string& source);
// The number of runs expand() gives, counted in double (it cannot wrap) without building them.
double run_count(const Experiment& e);
// The experiment with another number of repetitions, its text rewritten to match.
Experiment with_seeds(const Experiment& e, int seeds);

// Random search: the configurations a table draws per problem (samples × schedules × batches),
// and the k values budget.csv holds for it (ascending, each 1 <= k <= N; 0 is not among them).
int configurations_searched(const Experiment& e, const OptimizerPlan& plan);
std::vector<int> budget_ks(const Experiment& e, const OptimizerPlan& plan);

// One run of a sweep: everything needed to execute it, fixed before any run starts.
struct RunSpec {
  Index run_id;
  std::string problem;   // as written in the file
  std::string label;     // the optimizer table's name
  std::string config;    // canonical optimizer spec
  std::string schedule;  // as written
  Index batch;
  Dtype dtype = Dtype::float64;
  std::string search = "grid";  // grid, random, or default (the default hyperparameters)
  int rep;
  std::uint64_t seed;  // derived from the base seed and rep only (common random numbers)
  std::vector<std::pair<std::string, std::string>> hp;  // every optimizer key and its value
};

// Problem by problem, table by table, configuration by configuration (with defaults = true the
// default configuration first, then the random samples), then schedule, batch, dtype and
// repetition:
// the runs of one configuration are consecutive, with rep 0 ..< seeds.
std::vector<RunSpec> expand(const Experiment& e);

// The seed of repetition `rep`: every optimizer and configuration meets the same problem
// instances, start points, splits and batch orders.
std::uint64_t run_seed(const Experiment& e, int rep);

}  // namespace descent
