// `descent slurm`: a sharded sweep as a SLURM job array and a merge job that waits for it.
//
// It writes, under the output folder DIR (default results/<name>):
//   DIR/slurm/experiment.toml   the experiment as read, frozen: later edits of the file do not
//                               reach jobs that are still queued
//   DIR/slurm/shards.sbatch     the array job: shard I runs `descent sweep --shard I/N --resume`
//                               into DIR/shards/I, its log in DIR/slurm/shard-I.log
//   DIR/slurm/merge.sbatch      `descent merge DIR/shards/* --out DIR`; when a shard did not
//                               finish it names it and the command that finishes it
// and with --submit submits both (the merge with --dependency=afterany, so that it also runs,
// and reports, when a shard failed, was cancelled or timed out). Everything that can be checked
// is checked before anything is queued: the experiment (as `descent sweep` would), the folder,
// and both scripts with `sbatch --test-only`.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "bench/cli/commands.hpp"
#include "bench/cli/plugins.hpp"
#include "lib/build_info.hpp"
#include "lib/csv.hpp"
#include "lib/harness/sweep.hpp"

namespace descent::cli {
namespace {

namespace fs = std::filesystem;

struct SlurmArgs {
  std::string file, out, partition, time;
  int shards = 0, cpus = 1;
  bool submit = false;
};

// The job's settings and where everything goes; paths absolute, because jobs run elsewhere.
struct Job {
  std::string name;
  int shards = 0, cpus = 1;
  std::string partition, time;
  fs::path dir, workdir, exe;
  std::string exe_sha256;
  fs::path slurm() const { return dir / "slurm"; }
  fs::path shard_dir(int i) const { return dir / "shards" / std::to_string(i); }
};

// A word for bash, in single quotes.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string version_line() { return fmt::format("descent {}, commit {}", version(), git_commit()); }

std::string sbatch_header(const Job& j, const std::string& name, const std::string& log) {
  std::string h = "#!/bin/bash\n";
  h += fmt::format("# Written by `descent slurm` ({}) for experiment '{}', {} shards.\n",
                   version_line(), j.name, j.shards);
  h += fmt::format("#SBATCH --job-name={}\n", name);
  h += fmt::format("#SBATCH --output={}\n", (j.slurm() / log).string());
  h += fmt::format("#SBATCH --chdir={}\n", j.workdir.string());
  h += fmt::format("#SBATCH --cpus-per-task={}\n", j.cpus);
  if (!j.partition.empty()) h += fmt::format("#SBATCH --partition={}\n", j.partition);
  if (!j.time.empty()) h += fmt::format("#SBATCH --time={}\n", j.time);
  return h;
}

// The jobs check at start that the binary is still the one that wrote the script (by its
// SHA-256), because a binary rebuilt between submission and start would give other numbers.
std::string script_prelude(const Job& j) {
  return fmt::format(
      "set -euo pipefail\n"
      "descent={}\n"
      "experiment={}\n"
      "if [[ $(sha256sum <\"$descent\") != \"{} \"* ]]; then\n"
      "  echo \"error: $descent is no longer the binary that wrote this script ({})\" >&2\n"
      "  exit 2\n"
      "fi\n",
      quoted(j.exe.string()), quoted((j.slurm() / "experiment.toml").string()), j.exe_sha256,
      version_line());
}

// The plugins this `descent slurm` loaded, for every command of the jobs: ` --plugin 'FILE'`...
std::string plugin_args() {
  std::string args;
  for (const std::string& file : loaded_plugins()) args += " --plugin " + quoted(file);
  return args;
}

std::string shards_script(const Job& j) {
  std::string s = sbatch_header(j, "descent-" + j.name, "shard-%a.log");
  s += fmt::format("#SBATCH --array=0-{}\n", j.shards - 1);
  s += script_prelude(j);
  s += fmt::format(
      "i=$SLURM_ARRAY_TASK_ID\n"
      "out={}/$i\n"
      "# A finished shard is left alone when the array is submitted again; an unfinished one\n"
      "# (failed, cancelled, timed out) continues where it stopped.\n"
      "if [[ -f $out/runs.csv && ! -f $out/runs.partial.csv ]]; then\n"
      "  echo \"shard $i/{}: finished already ($out)\"\n"
      "  exit 0\n"
      "fi\n"
      "exec \"$descent\" sweep \"$experiment\" --shard \"$i/{}\" --threads "
      "\"${{SLURM_CPUS_PER_TASK:-1}}\" --out \"$out\" --resume --quiet{}\n",
      quoted((j.dir / "shards").string()), j.shards, j.shards, plugin_args());
  return s;
}

std::string merge_script(const Job& j) {
  std::string s = sbatch_header(j, "descent-" + j.name + "-merge", "merge.log");
  s += script_prelude(j);
  s += "shards=(";
  for (int i = 0; i < j.shards; ++i) s += (i ? " " : "") + quoted(j.shard_dir(i).string());
  s += ")\n";
  s += fmt::format(
      "if \"$descent\" merge \"${{shards[@]}}\" --out {}{}; then\n"
      "  echo \"merged {} shards into {}\"\n"
      "  exit 0\n"
      "fi\n"
      "echo \"shards not finished, and the command that finishes each:\" >&2\n"
      "for i in \"${{!shards[@]}}\"; do\n"
      "  d=${{shards[$i]}}\n"
      "  [[ -f $d/runs.csv && ! -f $d/runs.partial.csv ]] && continue\n"
      "  echo \"  shard $i/{} (job ${{DESCENT_SHARDS_JOB:-?}}_$i, log {}/shard-$i.log):\" >&2\n"
      "  echo \"    $descent sweep $experiment --shard $i/{} --out $d --resume{}\" >&2\n"
      "  echo \"    (or on the cluster: sbatch --array=$i {}/shards.sbatch)\" >&2\n"
      "done\n"
      "echo \"then merge again: sbatch {}/merge.sbatch\" >&2\n"
      "exit 1\n",
      quoted(j.dir.string()), plugin_args(), j.shards, j.dir.string(), j.shards, j.slurm().string(),
      j.shards, plugin_args(), j.slurm().string(), j.slurm().string());
  return s;
}

// SLURM's time formats: minutes, minutes:seconds, hours:minutes:seconds, days-hours,
// days-hours:minutes, days-hours:minutes:seconds, or unlimited.
bool slurm_time(const std::string& t) {
  static const std::regex re(R"((\d+-\d+(:\d+){0,2})|(\d+(:\d+){0,2})|INFINITE|UNLIMITED)");
  return std::regex_match(t, re);
}

// The output folder must be this experiment's, sharded the same way, or new.
void check_folder(const Job& j, const std::string& text) {
  for (const fs::path& held : {j.slurm() / "experiment.toml", j.dir / "experiment.toml"})
    if (fs::exists(held) && read_text_file(held) != text)
      throw UsageError(
          fmt::format("{} holds another experiment's results ({} differs): choose another --out",
                      j.dir.string(), held.string()));
  const fs::path script = j.slurm() / "shards.sbatch";
  if (!fs::exists(script) || !fs::exists(j.dir / "shards")) return;
  std::smatch m;
  const std::string old = read_text_file(script);
  static const std::regex array(R"(#SBATCH --array=0-(\d+))");
  if (std::regex_search(old, m, array) && std::stoi(m[1]) + 1 != j.shards)
    throw UsageError(
        fmt::format("{} holds {} shards of this experiment, not {}: choose another "
                    "--out, or --shards {}",
                    j.dir.string(), std::stoi(m[1]) + 1, j.shards, std::stoi(m[1]) + 1));
}

std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const fs::path candidate = fs::path(dirs.substr(start, end - start)) / program;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return "";
}

struct Output {
  int status = -1;
  std::string text;  // stdout and stderr together
};

Output run_program(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  Output out;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) out.text.append(buffer, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string sha256(const fs::path& file) {
  const std::string tool = find_on_path("sha256sum");
  const Output o = tool.empty() ? Output{} : run_program({tool, file.string()});
  if (o.status != 0 || o.text.size() < 64)
    throw UsageError(
        fmt::format("cannot take the SHA-256 of {} (is sha256sum on the PATH?)", file.string()));
  return o.text.substr(0, 64);
}

// sbatch's own reason, without its "sbatch: error: " prefixes, on one line.
std::string sbatch_reason(const std::string& text) {
  std::string reason;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto at = line.find("error: ");
    if (at == std::string::npos) continue;
    reason += (reason.empty() ? "" : "; ") + line.substr(at + 7);
  }
  return reason.empty() ? text : reason;
}

// The job id that `sbatch --parsable` printed ("123" or "123;cluster").
std::string submit(const std::string& sbatch, std::vector<std::string> args,
                   const fs::path& script) {
  std::vector<std::string> argv = {sbatch, "--parsable"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(script.string());
  const Output o = run_program(argv);
  if (o.status != 0)
    throw UsageError(fmt::format("sbatch rejected {}: {}", script.string(), sbatch_reason(o.text)));
  std::string id = o.text.substr(0, o.text.find_first_of(";\n"));
  return id;
}

int run_slurm_command(const SlurmArgs& a) {
  if (!a.time.empty() && !slurm_time(a.time))
    throw UsageError(fmt::format(
        "--time '{}': expected minutes, MM:SS, HH:MM:SS or D-HH:MM:SS (SLURM's formats)", a.time));
  Experiment e = load_experiment(a.file);
  check_experiment(e);
  const std::size_t runs = expand(e).size();
  if (std::size_t(a.shards) > runs)
    throw UsageError(fmt::format("--shards {}: the experiment has only {} runs", a.shards, runs));
  Job j;
  j.name = e.name, j.shards = a.shards, j.cpus = a.cpus, j.partition = a.partition;
  j.time = a.time, j.workdir = fs::current_path(), j.exe = fs::read_symlink("/proc/self/exe");
  j.dir = fs::absolute(a.out.empty() ? fs::path("results") / e.name : fs::path(a.out))
              .lexically_normal();
  for (const fs::path& p : {j.dir, j.workdir})
    if (p.string().find_first_of(" \t\n'\"\\$`") != std::string::npos)
      throw UsageError(
          fmt::format("'{}': a path for #SBATCH lines may not hold blanks, quotes, "
                      "'$' or '\\'",
                      p.string()));
  check_folder(j, e.text);
  std::string sbatch;
  if (a.submit && (sbatch = find_on_path("sbatch")).empty())
    throw UsageError("--submit: no sbatch on the PATH (is SLURM installed and set up?)");
  j.exe_sha256 = sha256(j.exe);

  make_folders(j.slurm());
  write_text_file(j.slurm() / "experiment.toml", e.text);
  write_text_file(j.slurm() / "shards.sbatch", shards_script(j));
  write_text_file(j.slurm() / "merge.sbatch", merge_script(j));
  const fs::path shards = j.slurm() / "shards.sbatch", merge = j.slurm() / "merge.sbatch";
  if (!a.submit) {
    fmt::print("wrote {} and {}; submit both with:\n", shards.string(), merge.string());
    fmt::print(
        "  job=$(sbatch --parsable {}) && sbatch --dependency=afterany:$job "
        "--export=ALL,DESCENT_SHARDS_JOB=$job {}\n",
        shards.string(), merge.string());
    return 0;
  }
  for (const fs::path& script : {shards, merge}) {
    const Output o = run_program({sbatch, "--test-only", script.string()});
    if (o.status != 0)
      throw UsageError(
          fmt::format("sbatch rejected {}: {}", script.string(), sbatch_reason(o.text)));
  }
  const std::string shards_job = submit(sbatch, {}, shards);
  std::string merge_job;
  try {
    merge_job = submit(
        sbatch,
        {"--dependency=afterany:" + shards_job, "--export=ALL,DESCENT_SHARDS_JOB=" + shards_job},
        merge);
  } catch (const UsageError&) {
    if (const std::string scancel = find_on_path("scancel"); !scancel.empty())
      run_program({scancel, shards_job});  // nothing stays queued
    throw;
  }
  fmt::print("shards job {} (array 0-{}, logs {}/shard-<i>.log)\n", shards_job, j.shards - 1,
             j.slurm().string());
  fmt::print("merge job {} (after every shard; log {}/merge.log) -> {}\n", merge_job,
             j.slurm().string(), j.dir.string());
  return 0;
}

}  // namespace

void add_slurm_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<SlurmArgs>();
  auto* cmd = app.add_subcommand(
      "slurm", "Write (and with --submit, submit) a sharded sweep as a SLURM job array");
  cmd->add_option("file", a->file, "Experiment file (TOML)")->required();
  cmd->add_option("--shards", a->shards, "Shards: the array's tasks")
      ->required()
      ->check(positive_count<int>());
  cmd->add_option("--partition", a->partition, "SLURM partition (default: the cluster's)");
  cmd->add_option("--time", a->time, "Time limit per shard, as sbatch takes it (HH:MM:SS)");
  cmd->add_option("--cpus-per-task", a->cpus, "CPUs per shard: its sweep's --threads")
      ->check(positive_count<int>());
  cmd->add_option("--out", a->out, "Output directory (default: results/<name>)");
  cmd->add_flag("--submit", a->submit, "Submit the array and the merge job with sbatch");
  cmd->callback([a, &action] { action = [a] { return run_slurm_command(*a); }; });
}

}  // namespace descent::cli
