#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "bench/cli/commands.hpp"
#include "lib/harness/outputs.hpp"
#include "lib/harness/sweep.hpp"
#include "lib/limits.hpp"

namespace descent::cli {
namespace {

struct SweepArgs {
  std::string file, out, shard;
  int threads = 0, seeds = 0;
  bool resume = false, dry_run = false, quiet = false, force = false;
};

// SIGINT (Ctrl-C) and SIGTERM (scancel, a SLURM time limit, kill) both stop the sweep after
// the runs in flight, which keeps every finished run for --resume.
volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_interrupt(int signal) {
  g_signal = signal;
  request_stop();
}

int run_sweep_command(const SweepArgs& a) {
  SweepOptions o;
  if (!a.shard.empty()) std::tie(o.shard, o.shards) = parse_shard(a.shard);
  Experiment e = load_experiment(a.file);
  if (a.seeds > 0) e = with_seeds(e, a.seeds);
  o.threads = a.threads;
  o.out = a.out;
  o.resume = a.resume;
  o.dry_run = a.dry_run;
  o.quiet = a.quiet;
  o.force = a.force;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const SweepOutcome r = run_sweep(e, o);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (a.dry_run) return 0;
  if (r.interrupted) {
    fmt::print(stderr,
               "interrupted: {} of {} runs finished are kept in {}; continue with --resume\n",
               r.ran + r.skipped, r.total, r.dir.string());
    return 128 + g_signal;
  }
  if (!a.quiet)
    fmt::print(stderr, "{}: {} runs ({} ok, {} diverged, {} errors{}) -> {}\n", e.name, r.total,
               r.ok, r.diverged, r.errors, r.skipped ? fmt::format(", {} resumed", r.skipped) : "",
               r.dir.string());
  return 0;
}

struct MergeArgs {
  std::vector<std::string> dirs;
  std::string out;
  bool force = false;
};

}  // namespace

void add_sweep_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<SweepArgs>();
  auto* cmd = app.add_subcommand("sweep", "Run every configuration x seed of an experiment file");
  cmd->add_option("file", a->file, "Experiment file (TOML)")->required();
  cmd->add_option("--threads", a->threads, "Runs in parallel (default: all cores)")
      ->check(count_up_to<int>(int(limits::threads)));
  cmd->add_option("--out", a->out, "Output directory (default: results/<name>)");
  cmd->add_option("--seeds", a->seeds, "Override the file's number of repetitions")
      ->check(count_up_to<int>(int(limits::seeds)));
  cmd->add_flag("--resume", a->resume, "Continue an interrupted sweep, skipping finished runs");
  cmd->add_option("--shard", a->shard, "Run only slice I of N (I/N), for several machines");
  cmd->add_flag("--dry-run", a->dry_run, "List the runs without running them");
  cmd->add_flag("--quiet", a->quiet, "No progress or summary on stderr");
  cmd->add_flag("--force", a->force, "Replace another experiment's results in --out");
  cmd->callback([a, &action] { action = [a] { return run_sweep_command(*a); }; });
}

void add_merge_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<MergeArgs>();
  auto* cmd = app.add_subcommand("merge", "Combine the output directories of a sharded sweep");
  cmd->add_option("dirs", a->dirs, "Shard output directories")->required();
  cmd->add_option("--out", a->out, "Output directory")->required();
  cmd->add_flag("--force", a->force, "Replace another experiment's results in --out");
  cmd->callback([a, &action] {
    action = [a] {
      std::vector<std::filesystem::path> dirs(a->dirs.begin(), a->dirs.end());
      merge_sweeps(dirs, a->out, a->force);
      return 0;
    };
  });
}

}  // namespace descent::cli
