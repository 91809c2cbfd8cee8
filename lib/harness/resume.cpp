#include "lib/harness/resume.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <map>

#include "lib/csv.hpp"
#include "lib/harness/columns.hpp"
#include "lib/limits.hpp"

namespace descent {
namespace {

// A row cut by a kill or a full disk has no newline at its end: it is dropped (its run was not
// finished, so it runs again), and appending goes on after the last whole row.
// Whether anything is left: a kill can also come before or while the header is written, and
// an empty file holds no run (appending to it writes the header first).
bool drop_torn_row(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return false;
  const std::string text = read_text_file(path);
  if (text.empty() || text.back() == '\n') return !text.empty();
  const auto keep = text.rfind('\n');
  if (::truncate(path.c_str(), keep == std::string::npos ? 0 : off_t(keep + 1)) != 0)
    throw IoError(fmt::format("cannot repair '{}'", path.string()));
  return keep != std::string::npos;
}

// Rewrites `path` (atomically, as every result file) with the rows of `table` that `keep`.
template <class Keep>
void keep_rows(const CsvTable& table, const std::filesystem::path& path, Keep keep) {
  CsvWriter kept(path, table.header);
  for (std::size_t i = 0; i < table.rows.size(); ++i)
    if (keep(i)) kept.row(table.rows[i]);
  kept.commit();
}

}  // namespace

std::set<Index> resume_state(const std::filesystem::path& runs_partial,
                             const std::filesystem::path& traces_partial,
                             const std::vector<RunSpec>& runs,
                             const std::vector<std::string>& hp_keys, int shard, int shards) {
  std::set<Index> done;
  if (!drop_torn_row(runs_partial)) {
    // Trace rows without their runs' rows belong to no finished run.
    std::filesystem::remove(traces_partial);
    return done;
  }
  const CsvTable t = read_csv(runs_partial);
  const auto stale = [&](const std::string& what) {
    return UsageError(
        fmt::format("{}: {} does not match the experiment; it changed since the "
                    "sweep started (delete the partial files to start over)",
                    runs_partial.string(), what));
  };
  if (t.header != runs_header(hp_keys)) throw stale("the header");
  const std::size_t status = t.column("status"), iters = t.column("iters");
  std::map<Index, std::string> final_iter;  // of each finished run, as its row says
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    const std::string where = fmt::format("{}:{}", runs_partial.string(), t.lines[r]);
    const Index id = parse_run_id(row[0], where, Index(runs.size()));
    if (id % shards != shard)
      throw UsageError(
          fmt::format("{}: run {} belongs to shard {}/{}, not {}/{}: the folder holds "
                      "another shard's runs",
                      where, id, id % shards, shards, shard, shards));
    if (!is_run(row, runs[id], hp_keys)) throw stale(fmt::format("run {}", id));
    if (row[status] != "ok" && row[status] != "diverged" && row[status] != "error")
      throw UsageError(fmt::format("{}: run {} has status '{}'", where, id, row[status]));
    if (!done.insert(id).second)
      throw UsageError(fmt::format("{}: run {} appears twice", where, id));
    if (row[status] != "error") final_iter[id] = row[iters];
  }
  // A finished run's trace ends at its last step; a run whose trace rows are missing or cut
  // (a deleted, truncated or torn traces file) runs again.
  const CsvTable tr = drop_torn_row(traces_partial) ? read_csv(traces_partial)
                                                    : CsvTable{traces_header(), {}, {}, {}};
  if (tr.header != traces_header()) throw stale("traces.partial.csv's header");
  const std::size_t iter = tr.column("iter");
  std::vector<Index> trace_ids;  // parsed once, for the check and for the rows kept
  trace_ids.reserve(tr.rows.size());
  std::map<Index, std::string> last_logged;
  for (const auto& row : tr.rows) {
    trace_ids.push_back(parse_run_id(row[0], traces_partial.string(), Index(runs.size())));
    last_logged[trace_ids.back()] = row[iter];
  }
  for (const auto& [id, last] : final_iter)
    if (last_logged[id] != last) done.erase(id);
  keep_rows(tr, traces_partial, [&](std::size_t i) { return done.count(trace_ids[i]) > 0; });
  if (done.size() < t.rows.size())  // runs.partial.csv without the runs to redo
    keep_rows(t, runs_partial, [&](std::size_t i) {
      return done.count(parse_run_id(t.rows[i][0], runs_partial.string(), Index(runs.size()))) > 0;
    });
  return done;
}

}  // namespace descent
