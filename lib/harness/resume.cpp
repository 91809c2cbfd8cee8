#include "lib/harness/resume.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "lib/csv.hpp"
#include "lib/harness/columns.hpp"

namespace descent {

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

}  // namespace descent
