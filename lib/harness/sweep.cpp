#include "lib/harness/sweep.hpp"

#include <fmt/format.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <set>

#include "lib/csv.hpp"
#include "lib/harness/meta.hpp"
#include "lib/optimizer_registry.hpp"
#include "lib/harness/best.hpp"
#include "lib/trace_csv.hpp"
#include "problems/registry.hpp"

namespace descent {
namespace {

volatile std::sig_atomic_t g_stop = 0;

const char* const kMetricColumns[] = {
    "status",         "message",         "iters",           "epochs",           "grad_evals",
    "hess_evals",     "final_loss",      "best_loss",       "final_gap",        "final_test_loss",
    "final_test_acc", "iters_to_target", "evals_to_target", "epochs_to_target", "time_to_target_s",
    "wall_s"};

std::string num(double v) { return format_number(v); }
std::string integer(Index v) { return fmt::format("{}", v); }
template <class T>
std::string maybe(const std::optional<T>& v) {
  if (!v) return "";
  if constexpr (std::is_same_v<T, double>)
    return num(*v);
  else
    return integer(*v);
}
std::string finite_or_empty(double v) { return std::isnan(v) ? "" : num(v); }

std::vector<std::string> hp_keys_of(const std::vector<RunSpec>& runs) {
  std::vector<std::string> keys;
  for (const RunSpec& r : runs)
    for (const auto& [k, v] : r.hp)
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  return keys;
}

// The columns of runs.csv that say which run a row is, up to its seed.
std::vector<std::string> run_identity(const RunSpec& spec,
                                      const std::vector<std::string>& hp_keys) {
  std::vector<std::string> row = {integer(spec.run_id), spec.problem,  spec.label,
                                  spec.config,          spec.schedule, integer(spec.batch)};
  for (const std::string& key : hp_keys) {
    auto it = std::find_if(spec.hp.begin(), spec.hp.end(),
                           [&](const auto& kv) { return kv.first == key; });
    row.push_back(it == spec.hp.end() ? "" : it->second);
  }
  row.insert(row.end(), {integer(spec.rep), fmt::format("{}", spec.seed)});
  return row;
}

// What one finished run contributes to runs.csv and traces.csv.
struct Record {
  std::vector<std::string> row;
  std::vector<std::vector<std::string>> trace;
  Status status = Status::ok;
};

class Executor {
 public:
  Executor(const Experiment& e, const std::vector<std::string>& hp_keys)
      : e_(e), hp_keys_(hp_keys) {}

  Record execute(const RunSpec& spec) {
    Record rec;
    RunResult result;
    std::string message;
    std::optional<double> fstar;
    try {
      const Problem& problem = problem_for(spec);
      fstar = problem.optimum();
      auto optimizer = make_optimizer<double>(parse_optimizer(spec.config), problem.dim());
      result = run(problem, *optimizer, Schedule::parse(spec.schedule), settings(spec));
      rec.status = result.summary.status;
    } catch (const std::exception& ex) {
      rec.status = Status::error;
      message = ex.what();
    }
    rec.row = runs_row(spec, result.summary, rec.status, message, fstar);
    const auto& columns = traces_header();
    for (const TracePoint& p : result.trace) {
      auto& row = rec.trace.emplace_back(1, integer(spec.run_id));
      for (std::size_t c = 1; c < columns.size(); ++c)
        row.push_back(trace_value(p, columns[c], fstar));
    }
    return rec;
  }

 private:
  // Problem instances are cached per (spec, seed) within one thread: building a data problem
  // (loading, splitting, solving for f*) costs more than many short runs.
  const Problem& problem_for(const RunSpec& spec) {
    auto& slot = cache_[{spec.problem, spec.seed}];
    if (!slot) slot = make_problem(spec.problem, spec.seed);
    return *slot;
  }

  RunSettings settings(const RunSpec& spec) const {
    RunSettings s;
    s.budget = e_.budget;
    s.batch = spec.batch;
    s.seed = spec.seed;
    s.log = e_.log;
    s.diverge_factor = e_.diverge_factor;
    s.target = e_.target;
    return s;
  }

  std::vector<std::string> runs_row(const RunSpec& spec, const Summary& s, Status status,
                                    const std::string& message, std::optional<double> fstar) const {
    std::vector<std::string> row = run_identity(spec, hp_keys_);
    row.insert(row.end(), {to_string(status), message});
    if (status == Status::error) {
      row.resize(row.size() + std::size(kMetricColumns) - 2);
      return row;
    }
    row.insert(row.end(),
               {integer(s.iters), num(s.epochs), integer(s.grad_evals), integer(s.hess_evals),
                num(s.final_loss), num(s.best_loss), fstar ? num(s.final_loss - *fstar) : "",
                finite_or_empty(s.final_test_loss), finite_or_empty(s.final_test_acc),
                maybe(s.iters_to_target), maybe(s.evals_to_target), maybe(s.epochs_to_target),
                maybe(s.time_to_target_s), num(s.time_s)});
    return row;
  }

  const Experiment& e_;
  const std::vector<std::string>& hp_keys_;
  std::map<std::pair<std::string, std::uint64_t>, std::unique_ptr<Problem>> cache_;
};

// A target needs what it measures: gap and rel_gap need f*, test_acc a test set.
void check_targets(const Experiment& e) {
  if (!e.target) return;
  for (const std::string& p : e.problems) {
    const auto problem = make_problem(p, run_seed(e, 0));
    const auto kind = e.target->kind;
    if ((kind == Target::Kind::gap || kind == Target::Kind::rel_gap) && !problem->optimum())
      throw UsageError(fmt::format("{}: target '{}' needs f*, which problem '{}' does not know",
                                   e.source, to_string(kind), p));
    if (kind == Target::Kind::test_acc && !problem->has_test_set())
      throw UsageError(fmt::format(
          "{}: target 'test_acc' needs a test set, which problem '{}' lacks", e.source, p));
  }
}

class Progress {
 public:
  Progress(std::size_t total, bool quiet) : total_(total), on_(!quiet && isatty(STDERR_FILENO)) {}
  void update(std::size_t done) {
    if (!on_) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const double eta = done ? elapsed / double(done) * double(total_ - done) : 0;
    fmt::print(stderr, "\r{}/{} runs, {:.0f} s elapsed, ETA {:.0f} s   ", done, total_, elapsed,
               eta);
  }
  void finish() {
    if (on_) fmt::print(stderr, "\n");
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::size_t total_;
  bool on_;
  Clock::time_point start_ = Clock::now();
};

// Finished run_ids in the partial files of an interrupted sweep, checked against this
// expansion (the header, and each row's run up to its seed, so that a changed file or --seeds
// is caught before any run); trace rows of runs that did not finish are dropped.
std::set<Index> resume_state(const std::filesystem::path& runs_partial,
                             const std::filesystem::path& traces_partial,
                             const std::vector<RunSpec>& runs,
                             const std::vector<std::string>& hp_keys) {
  std::set<Index> done;
  if (!std::filesystem::exists(runs_partial)) return done;
  const CsvTable t = read_csv(runs_partial);
  const auto stale = [&](const std::string& what) {
    return UsageError(
        fmt::format("{}: {} does not match the experiment; it changed since the "
                    "sweep started (delete the partial files to start over)",
                    runs_partial.string(), what));
  };
  if (t.header != runs_header(hp_keys)) throw stale("the header");
  for (const auto& row : t.rows) {
    const Index id = std::stol(row[0]);
    if (id < 0 || id >= Index(runs.size())) throw stale(fmt::format("run {}", id));
    const std::vector<std::string> identity = run_identity(runs[id], hp_keys);
    if (!std::equal(identity.begin(), identity.end(), row.begin()))
      throw stale(fmt::format("run {}", id));
    done.insert(id);
  }
  if (std::filesystem::exists(traces_partial)) {
    const CsvTable tr = read_csv(traces_partial);
    CsvWriter kept(traces_partial.string() + ".kept", tr.header);
    for (const auto& row : tr.rows)
      if (done.count(std::stol(row[0]))) kept.row(row);
    kept.commit();
    std::filesystem::rename(traces_partial.string() + ".kept", traces_partial);
  }
  return done;
}

// Writes `table`'s rows sorted by their first column (run_id) to `path`, stable within a run.
void write_sorted(const CsvTable& table, const std::filesystem::path& path) {
  std::vector<std::size_t> order(table.rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::stol(table.rows[a][0]) < std::stol(table.rows[b][0]);
  });
  CsvWriter out(path, table.header);
  for (std::size_t i : order) out.row(table.rows[i]);
  out.commit();
}

void finalize(const Experiment& e, const std::filesystem::path& dir, const SweepFacts& facts) {
  write_sorted(read_csv(dir / "runs.partial.csv"), dir / "runs.csv");
  write_sorted(read_csv(dir / "traces.partial.csv"), dir / "traces.csv");
  write_best(read_csv(dir / "runs.csv"), {e.tune_metric, e.tune_stat}, e.target.has_value(),
             dir / "best.csv");
  write_text_file(dir / "experiment.toml", e.text);
  write_meta(dir / "meta.json", e, facts);
  std::filesystem::remove(dir / "runs.partial.csv");
  std::filesystem::remove(dir / "traces.partial.csv");
}

void print_dry_run(const std::vector<RunSpec>& runs, const std::set<Index>& done) {
  for (const RunSpec& r : runs)
    fmt::print("{}\t{}\t{}\t{}\tbatch={}\trep={}{}\n", r.run_id, r.problem, r.config, r.schedule,
               r.batch, r.rep, done.count(r.run_id) ? "\t(done)" : "");
  fmt::print("{} runs\n", runs.size());
}

// Runs `pending` on `threads` threads, appending each finished run to the partial files.
void execute_all(const Experiment& e, const std::vector<std::string>& hp_keys,
                 const std::vector<const RunSpec*>& pending, int threads, bool quiet,
                 const std::filesystem::path& runs_partial,
                 const std::filesystem::path& traces_partial, SweepOutcome& out) {
  CsvWriter runs_file = CsvWriter::appending(runs_partial, runs_header(hp_keys));
  CsvWriter traces_file = CsvWriter::appending(traces_partial, traces_header());
  Progress progress(pending.size(), quiet);
#pragma omp parallel num_threads(threads)
  {
    Executor executor(e, hp_keys);
#pragma omp for schedule(dynamic, 1)
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (g_stop) continue;
      const Record rec = executor.execute(*pending[i]);
#pragma omp critical(sweep_output)
      {
        for (const auto& row : rec.trace) traces_file.row(row);
        traces_file.flush();  // traces before the run's row: a listed run is complete
        runs_file.row(rec.row);
        runs_file.flush();
        ++out.ran;
        out.ok += rec.status == Status::ok;
        out.diverged += rec.status == Status::diverged;
        out.errors += rec.status == Status::error;
        progress.update(out.ran);
      }
    }
  }
  progress.finish();
}

}  // namespace

void request_stop() { g_stop = 1; }

std::vector<std::string> runs_header(const std::vector<std::string>& hp_keys) {
  std::vector<std::string> h = {"run_id", "problem", "optimizer", "config", "schedule", "batch"};
  for (const auto& k : hp_keys) h.push_back("hp_" + k);
  h.insert(h.end(), {"rep", "seed"});
  h.insert(h.end(), std::begin(kMetricColumns), std::end(kMetricColumns));
  return h;
}

const std::vector<std::string>& traces_header() {
  static const std::vector<std::string> h = {"run_id",    "iter",    "epoch", "grad_evals",
                                             "time_s",    "loss",    "gap",   "grad_norm",
                                             "test_loss", "test_acc"};
  return h;
}

bool is_timing_column(const std::string& name) {
  return name == "time_s" || name == "wall_s" || name.rfind("time_to_target_s", 0) == 0;
}

SweepOutcome run_sweep(const Experiment& e, const SweepOptions& o) {
  if (o.shards < 1 || o.shard < 0 || o.shard >= o.shards)
    throw UsageError(fmt::format("--shard {}/{}: expected I/N with 0 <= I < N", o.shard, o.shards));
  const std::vector<RunSpec> all = expand(e);
  const std::vector<std::string> hp_keys = hp_keys_of(all);
  SweepOutcome out;
  out.dir = o.out.empty() ? std::filesystem::path("results") / e.name : o.out;
  const auto runs_partial = out.dir / "runs.partial.csv",
             traces_partial = out.dir / "traces.partial.csv";
  if (!o.resume && !o.dry_run && std::filesystem::exists(runs_partial))
    throw UsageError(
        fmt::format("{} holds an unfinished sweep: continue it with --resume, or delete "
                    "the *.partial.csv files",
                    out.dir.string()));
  std::vector<RunSpec> mine;
  for (const RunSpec& r : all)
    if (r.run_id % o.shards == o.shard) mine.push_back(r);
  const std::set<Index> done =
      o.resume ? resume_state(runs_partial, traces_partial, all, hp_keys) : std::set<Index>{};
  out.total = mine.size();
  if (o.dry_run) {
    print_dry_run(mine, done);
    return out;
  }
  check_targets(e);
  std::vector<const RunSpec*> pending;
  for (const RunSpec& r : mine)
    if (!done.count(r.run_id)) pending.push_back(&r);
  out.skipped = mine.size() - pending.size();

  std::filesystem::create_directories(out.dir);
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  g_stop = 0;
  execute_all(e, hp_keys, pending, threads, o.quiet, runs_partial, traces_partial, out);
  out.interrupted = g_stop != 0;
  if (!out.interrupted)
    finalize(e, out.dir, {threads, fmt::format("{}/{}", o.shard, o.shards), mine.size()});
  return out;
}

void merge_sweeps(const std::vector<std::filesystem::path>& dirs,
                  const std::filesystem::path& out) {
  if (dirs.empty()) throw UsageError("merge: no input directories");
  std::string text;
  std::vector<std::string> runs_head, traces_head;
  CsvTable runs, traces;
  std::set<Index> ids;
  for (const auto& dir : dirs) {
    std::ifstream in(dir / "experiment.toml");
    if (!in)
      throw UsageError(
          fmt::format("merge: {} has no experiment.toml (not a finished sweep)", dir.string()));
    const std::string t((std::istreambuf_iterator<char>(in)), {});
    if (text.empty())
      text = t;
    else if (t != text)
      throw UsageError(fmt::format("merge: {} is from a different experiment", dir.string()));
    CsvTable r = read_csv(dir / "runs.csv"), tr = read_csv(dir / "traces.csv");
    if (runs.header.empty()) runs.header = r.header, traces.header = tr.header;
    if (r.header != runs.header)
      throw UsageError(fmt::format("merge: {}/runs.csv has other columns", dir.string()));
    for (auto& row : r.rows) {
      if (!ids.insert(std::stol(row[0])).second)
        throw UsageError(fmt::format("merge: run {} appears twice ({})", row[0], dir.string()));
      runs.rows.push_back(std::move(row));
    }
    for (auto& row : tr.rows) traces.rows.push_back(std::move(row));
  }
  const Experiment e = parse_experiment(text, (dirs.front() / "experiment.toml").string());
  const std::size_t expected = expand(e).size();
  if (ids.size() != expected)
    throw UsageError(
        fmt::format("merge: {} of {} runs present; a shard is missing", ids.size(), expected));
  std::filesystem::create_directories(out);
  write_sorted(runs, out / "runs.csv");
  write_sorted(traces, out / "traces.csv");
  write_best(read_csv(out / "runs.csv"), {e.tune_metric, e.tune_stat}, e.target.has_value(),
             out / "best.csv");
  write_text_file(out / "experiment.toml", text);
  write_meta(out / "meta.json", e,
             {0, fmt::format("merged from {} directories", dirs.size()), expected});
}

}  // namespace descent
