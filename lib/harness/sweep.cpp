#include "lib/harness/sweep.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <omp.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <exception>
#include <map>
#include <optional>
#include <set>

#include "lib/csv.hpp"
#include "lib/harness/columns.hpp"
#include "lib/harness/outputs.hpp"
#include "lib/harness/progress.hpp"
#include "lib/harness/resume.hpp"
#include "lib/harness/run_specs.hpp"
#include "lib/limits.hpp"
#include "problems/registry.hpp"

namespace descent {
namespace {

volatile std::sig_atomic_t g_stop = 0;

// What one finished run contributes to runs.csv and traces.csv, as CSV lines formatted on the
// run's own thread: the output lock is then held only to copy them out.
struct Record {
  std::string row, trace;
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
      result = SpecRun(problem, spec.config, spec.schedule, spec.dtype).run(settings(spec));
      rec.status = result.summary.status;
    } catch (const std::exception& ex) {
      rec.status = Status::error;
      message = ex.what();
    }
    const Ran ran{spec, result, rec.status, message, fstar};
    append_csv_line(rec.row, runs_row(ran, hp_keys_));
    for (const auto& row : traces_rows(ran)) append_csv_line(rec.trace, row);
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

  const Experiment& e_;
  const std::vector<std::string>& hp_keys_;
  std::map<std::pair<std::string, std::uint64_t>, std::unique_ptr<Problem>> cache_;
};

}  // namespace

void check_experiment(const Experiment& e) {
  const bool float32 = std::any_of(e.optimizers.begin(), e.optimizers.end(), [](const auto& p) {
    return std::find(p.dtypes.begin(), p.dtypes.end(), Dtype::float32) != p.dtypes.end();
  });
  if (!e.target && !float32) return;
  for (const std::string& p : e.problems) {
    const auto problem = make_problem(p, run_seed(e, 0));
    if (float32 && !problem->has_float())
      throw UsageError(fmt::format("{}: {}", e.source, no_float_path(p)));
    if (!e.target) continue;
    const auto kind = e.target->kind;
    if ((kind == Target::Kind::gap || kind == Target::Kind::rel_gap) && !problem->optimum())
      throw UsageError(fmt::format("{}: target '{}' needs f*, which problem '{}' does not know",
                                   e.source, to_string(kind), p));
    if (kind == Target::Kind::test_acc && !problem->has_test_set())
      throw UsageError(fmt::format(
          "{}: target 'test_acc' needs a test set, which problem '{}' lacks", e.source, p));
  }
}

namespace {

void finalize(const Experiment& e, const std::filesystem::path& dir, const SweepFacts& facts) {
  write_sweep_outputs(
      {e, read_csv(dir / "runs.partial.csv"), read_csv(dir / "traces.partial.csv"), facts}, dir);
  std::filesystem::remove(dir / "runs.partial.csv");
  std::filesystem::remove(dir / "traces.partial.csv");
}

void print_dry_run(const std::vector<RunSpec>& runs, const std::set<Index>& done) {
  for (const RunSpec& r : runs)
    fmt::print("{}\t{}\t{}\t{}\tbatch={}\t{}\trep={}{}{}\n", r.run_id, r.problem, r.config,
               r.schedule, r.batch, to_string(r.dtype), r.rep,
               r.search == "default" ? "\t(default)" : "", done.count(r.run_id) ? "\t(done)" : "");
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
  std::exception_ptr failure;
#pragma omp parallel num_threads(threads)
  {
    Executor executor(e, hp_keys);
#pragma omp for schedule(dynamic, 1)
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (g_stop) continue;
      const Record rec = executor.execute(*pending[i]);
#pragma omp critical(sweep_output)
      try {
        traces_file.lines(rec.trace);
        traces_file.flush();  // traces before the run's row: a listed run is complete
        runs_file.lines(rec.row);
        runs_file.flush();
        ++out.ran;
        out.ok += rec.status == Status::ok;
        out.diverged += rec.status == Status::diverged;
        out.errors += rec.status == Status::error;
        progress.update(out.ran);
      } catch (...) {  // a write error (disk full): stop, and report it after the threads join
        if (!failure) failure = std::current_exception();
        g_stop = 1;
      }
    }
  }
  progress.finish();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

void request_stop() { g_stop = 1; }

std::pair<int, int> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos)
    throw UsageError(fmt::format("--shard '{}': expected I/N with 0 <= I < N", text));
  const auto n = to_count(text.substr(slash + 1), "--shard N", 1, limits::runs, "runs");
  const auto i = to_count(text.substr(0, slash), "--shard I", 0, n - 1);
  return {int(i), int(n)};
}

FolderLock::FolderLock(const std::filesystem::path& dir) {
  make_folders(dir);
  const std::filesystem::path path = dir / ".lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw IoError(fmt::format("cannot open '{}': {}", path.string(), std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {};
    const ssize_t n = ::pread(fd_, pid, sizeof pid - 1, 0);
    ::close(fd_);
    fd_ = -1;
    throw UsageError(fmt::format(
        "{} is in use by another sweep or merge (process {}); wait for it to end, or stop it",
        dir.string(), n > 0 ? std::string(pid, std::size_t(n)) : "unknown"));
  }
  // The process id is only for the message of a second sweep; the flock is the lock.
  const std::string me = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, me.data(), me.size(), 0);
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

void check_results_folder(const Experiment& e, const std::filesystem::path& dir, bool force) {
  const std::filesystem::path held = dir / "experiment.toml";
  if (force || !std::filesystem::exists(held)) return;
  if (read_text_file(held) != e.text)
    throw UsageError(
        fmt::format("{} holds the results of another experiment ({} differs): choose "
                    "another --out, or --force to replace them",
                    dir.string(), held.string()));
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
  std::optional<FolderLock> lock;
  if (!o.dry_run) {
    check_experiment(e);
    check_results_folder(e, out.dir, o.force);
    lock.emplace(out.dir);  // before the partial files are read or repaired
  }
  if (!o.resume && !o.dry_run && std::filesystem::exists(runs_partial))
    throw UsageError(
        fmt::format("{} holds an unfinished sweep: continue it with --resume, or delete "
                    "the *.partial.csv files",
                    out.dir.string()));
  if (!o.resume && !o.dry_run) std::filesystem::remove(traces_partial);  // rows of no run
  std::vector<RunSpec> mine;
  for (const RunSpec& r : all)
    if (r.run_id % o.shards == o.shard) mine.push_back(r);
  const std::set<Index> done =
      o.resume ? resume_state(runs_partial, traces_partial, all, hp_keys, o.shard, o.shards)
               : std::set<Index>{};
  out.total = mine.size();
  if (o.dry_run) {
    print_dry_run(mine, done);
    return out;
  }
  std::vector<const RunSpec*> pending;
  for (const RunSpec& r : mine)
    if (!done.count(r.run_id)) pending.push_back(&r);
  out.skipped = mine.size() - pending.size();

  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  g_stop = 0;
  execute_all(e, hp_keys, pending, threads, o.quiet, runs_partial, traces_partial, out);
  out.interrupted = g_stop != 0;
  if (!out.interrupted)
    finalize(e, out.dir, {threads, fmt::format("{}/{}", o.shard, o.shards), mine.size()});
  return out;
}

}  // namespace descent
