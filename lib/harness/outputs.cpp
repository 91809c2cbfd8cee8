#include "lib/harness/outputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <numeric>
#include <regex>
#include <set>

#include "lib/harness/best.hpp"
#include "lib/harness/budget.hpp"
#include "lib/harness/columns.hpp"
#include "lib/harness/run_specs.hpp"
#include "lib/harness/sweep.hpp"
#include "lib/limits.hpp"

namespace descent {
namespace {

void sort_by_run_id(CsvTable& table) {
  std::vector<long> ids;  // parsed once, not at every comparison
  ids.reserve(table.rows.size());
  for (const auto& row : table.rows)
    ids.push_back(parse_run_id(row[0], table.source, limits::runs));
  std::vector<std::size_t> order(table.rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return ids[a] < ids[b]; });
  std::vector<std::vector<std::string>> rows;
  rows.reserve(order.size());
  for (std::size_t i : order) rows.push_back(std::move(table.rows[i]));
  table.rows = std::move(rows);
  table.lines.clear();
}

void write_table(const CsvTable& table, const std::filesystem::path& path) {
  CsvWriter out(path, table.header);
  for (const auto& row : table.rows) out.row(row);
  out.commit();
}

// Why a shard directory cannot be merged yet, or "" when it holds a finished sweep. A missing
// shard never ran (or went elsewhere); an incomplete one stopped (failed, cancelled, timed out)
// and `--resume` finishes it.
std::string unfinished(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) return fmt::format("{} is missing", dir.string());
  if (std::filesystem::exists(dir / "runs.partial.csv"))
    return fmt::format(
        "{} is incomplete ({} runs finished; `descent sweep` of that shard with --out {} "
        "--resume finishes it)",
        dir.string(), read_csv(dir / "runs.partial.csv").rows.size(), dir.string());
  for (const char* name : {"experiment.toml", "runs.csv", "traces.csv"})
    if (!std::filesystem::exists(dir / name))
      return fmt::format("{} has no {} (not a finished sweep)", dir.string(), name);
  return "";
}

// The shard a finished sweep's meta.json names, "I/N" ("0/1": unsharded).
std::string shard_of(const std::filesystem::path& dir) {
  static const std::regex re(R"re("shard"\s*:\s*"(\d+/\d+)")re");
  const std::string text = read_text_file(dir / "meta.json");
  std::smatch m;
  return std::regex_search(text, m, re) ? m[1].str() : "";
}

// Which of the N shards none of `dirs` holds, when they all name shards of one N; else only
// that one is missing.
std::string missing_shards(const std::vector<std::filesystem::path>& dirs) {
  std::set<int> held;
  int shards = 0;
  for (const auto& dir : dirs) {
    const std::string s = shard_of(dir);
    const auto slash = s.find('/');
    if (slash == std::string::npos) return "; a shard is missing";
    const int n = std::stoi(s.substr(slash + 1));
    if (shards && n != shards) return "; a shard is missing";
    shards = n;
    held.insert(std::stoi(s.substr(0, slash)));
  }
  std::vector<std::string> missing;
  for (int i = 0; i < shards; ++i)
    if (!held.count(i)) missing.push_back(fmt::format("{}/{}", i, shards));
  if (missing.empty()) return "; a shard is missing";
  return fmt::format(": shard{} {} missing (no directory given holds {})",
                     missing.size() > 1 ? "s" : "", fmt::join(missing, ", "),
                     missing.size() > 1 ? "them" : "it");
}

}  // namespace

const std::vector<OutputFile>& sweep_outputs() {
  static const std::vector<OutputFile> all = {
      {"runs.csv",
       "one row per run: which run it is, its hyperparameters as `hp_<key>` columns, its status "
       "and metrics (the columns below); an empty field: not reached or not applicable",
       [](const SweepData& d, const std::filesystem::path& p) { write_table(d.runs, p); }},
      {"traces.csv", "`run_id`, then the trace columns below, at every run's logging points",
       [](const SweepData& d, const std::filesystem::path& p) { write_table(d.traces, p); }},
      {"best.csv",
       "per problem × optimizer, the best configuration by the tuning rule, its success rate "
       "(reached the target; without a target, finished ok) and the median and quartiles across "
       "seeds of the summarized metrics (`<metric>_median`, `_q25`, `_q75`). `inf` (`-inf` for "
       "accuracy): not reached, or the run failed; an empty field: the problem has no such metric "
       "(no test set, no known optimum) or the experiment no target",
       [](const SweepData& d, const std::filesystem::path& p) {
         const Experiment& e = d.experiment;
         write_best(d.runs, {e.tune_metric, e.tune_stat}, e.target.has_value(), p);
       }},
      {"budget.csv",
       "random search only (a shard has none; `merge` writes it): per problem × optimizer, what "
       "tuning buys (Dodge et al. 2019), the expected best tune metric when only k of the N "
       "configurations drawn are tried, for k = 1, 2, 4, …, N (or `search.budgets`), and k = 0, "
       "the default hyperparameters alone (`search.defaults`); its median, quartiles and mean "
       "over seeds. A run that failed counts as not moving (the metric at the start point), an "
       "unreached target as `inf`",
       [](const SweepData& d, const std::filesystem::path& p) {
         write_budget(d.experiment, d.runs, d.traces, p);
       },
       [](const SweepData& d) {  // a shard's runs are part of each configuration's: merge's
         return has_budget(d.experiment) && d.runs.rows.size() == expand(d.experiment).size();
       }},
      {"experiment.toml",
       "the experiment file as read; with `--seeds N` (other than the file's), its `seeds` line "
       "replaced by `seeds = N` (or that line added at the top), so that `merge` sees the sweep "
       "as it ran",
       [](const SweepData& d, const std::filesystem::path& p) {
         write_text_file(p, d.experiment.text);
       }},
      {"meta.json",
       "version, git commit, the build's facts, CPU, threads, date, the experiment as read, how "
       "seeds were derived, where each optimizer and problem comes from (`components`: `built in`, "
       "`Python`, or the plugin's absolute path), and every column's facts (`columns`), which "
       "the plotting and table "
       "scripts read; for a random search, budget.csv's metric and each table's k values "
       "(`budget`)",
       [](const SweepData& d, const std::filesystem::path& p) {
         write_meta(p, d.experiment, d.facts);
       }},
  };
  return all;
}

void write_sweep_outputs(SweepData data, const std::filesystem::path& dir) {
  sort_by_run_id(data.runs);
  sort_by_run_id(data.traces);
  make_folders(dir);
  for (const OutputFile& f : sweep_outputs()) {
    if (f.written_for && !f.written_for(data))
      std::filesystem::remove(dir / f.name);
    else
      f.write(data, dir / f.name);
  }
}

void merge_sweeps(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& out,
                  bool force) {
  if (dirs.empty()) throw UsageError("merge: no input directories");
  std::vector<std::string> problems;
  for (const auto& dir : dirs)
    if (std::string why = unfinished(dir); !why.empty()) problems.push_back(std::move(why));
  if (!problems.empty())
    throw UsageError(fmt::format("merge: {} of {} directories not finished: {}", problems.size(),
                                 dirs.size(), fmt::join(problems, "; ")));
  std::string text;
  CsvTable runs, traces;
  for (const auto& dir : dirs) {
    const std::string t = read_text_file(dir / "experiment.toml");
    if (text.empty())
      text = t;
    else if (t != text)
      throw UsageError(fmt::format("merge: {} is from a different experiment", dir.string()));
  }
  const Experiment e = parse_experiment(text, (dirs.front() / "experiment.toml").string());
  const std::vector<RunSpec> all = expand(e);
  const std::vector<std::string> hp_keys = hp_keys_of(all);
  const Index expected = Index(all.size());
  runs.header = runs_header(hp_keys), traces.header = traces_header();
  std::set<Index> ids;
  for (const auto& dir : dirs) {
    CsvTable r = read_csv(dir / "runs.csv"), tr = read_csv(dir / "traces.csv");
    if (r.header != runs.header || tr.header != traces.header)
      throw UsageError(
          fmt::format("merge: {}: runs.csv or traces.csv has other columns than "
                      "this version writes",
                      dir.string()));
    std::set<Index> here;
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
      auto& row = r.rows[i];
      const Index id = parse_run_id(row[0], r.source, expected);
      if (!is_run(row, all[std::size_t(id)], hp_keys))
        throw UsageError(fmt::format("merge: {}:{}: run {} is not the experiment's run {}",
                                     r.source, r.lines[i], id, id));
      if (!ids.insert(id).second)
        throw UsageError(fmt::format("merge: run {} appears twice ({})", id, dir.string()));
      here.insert(id);
      runs.rows.push_back(std::move(row));
    }
    for (std::size_t i = 0; i < tr.rows.size(); ++i) {
      const Index id = parse_run_id(tr.rows[i][0], tr.source, expected);
      if (!here.count(id))
        throw UsageError(
            fmt::format("merge: {}:{}: a trace row of run {}, which runs.csv does "
                        "not hold",
                        tr.source, tr.lines[i], id));
      traces.rows.push_back(std::move(tr.rows[i]));
    }
  }
  if (Index(ids.size()) != expected)
    throw UsageError(
        fmt::format("merge: {} of {} runs present{}", ids.size(), expected, missing_shards(dirs)));
  // Every check is made before the first file is written.
  check_results_folder(e, out, force);
  const FolderLock lock(out);
  const std::filesystem::path staging = out / ".merge.partial";
  std::filesystem::remove_all(staging);  // left by a merge that was killed
  runs.source = (out / "runs.csv").string();
  write_sweep_outputs(
      {e,
       std::move(runs),
       std::move(traces),
       {0, fmt::format("merged from {} directories", dirs.size()), std::size_t(expected)}},
      staging);
  for (const OutputFile& f : sweep_outputs()) {  // meta.json, which marks a finished folder, last
    if (std::filesystem::exists(staging / f.name))
      move_file(staging / f.name, out / f.name);
    else
      std::filesystem::remove(out / f.name);
  }
  std::filesystem::remove(staging);
}

}  // namespace descent
