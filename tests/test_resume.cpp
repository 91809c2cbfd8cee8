// lib/harness/resume: an interrupted sweep, finished.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "lib/csv.hpp"
#include "lib/harness/best.hpp"
#include "lib/harness/columns.hpp"
#include "lib/harness/experiment.hpp"
#include "lib/harness/outputs.hpp"
#include "lib/harness/sweep.hpp"
#include "tests/sweep_fixtures.hpp"

using namespace descent;
using namespace descent::testing;

TEST_CASE("resume finishes an interrupted sweep with the same results", "[resume]") {
  const Experiment e = parse_experiment(kExperiment, "unit.toml");
  const fs::path whole = fresh_dir("rwhole"), part = fresh_dir("rpart");
  sweep(e, whole, 2);
  // An interrupted sweep: the first 10 runs finished, and run 10's trace half written.
  const CsvTable runs = read_csv(whole / "runs.csv"), traces = read_csv(whole / "traces.csv");
  fs::create_directories(part);
  {
    CsvWriter r = CsvWriter::appending(part / "runs.partial.csv", runs.header);
    for (int i = 0; i < 10; ++i) r.row(runs.rows[i]);
    CsvWriter t = CsvWriter::appending(part / "traces.partial.csv", traces.header);
    for (const auto& row : traces.rows)
      if (std::stoi(row[0]) <= 10) t.row(row);
  }
  CHECK_THROWS_WITH(sweep(e, part, 1), Catch::Contains("--resume"));
  const SweepOutcome r = sweep(e, part, 2, 0, 1, true);
  CHECK(r.skipped == 10);
  CHECK(r.ran == 32);
  check_same(whole, part);
  fs::remove_all(whole);
  fs::remove_all(part);
}

// Killed as the sweep began: the partial files empty, or cut inside their header.
TEST_CASE("resume starts over from an empty or torn header", "[resume]") {
  const Experiment e = parse_experiment(kExperiment, "unit.toml");
  const fs::path whole = fresh_dir("hwhole"), part = fresh_dir("hpart");
  sweep(e, whole, 2);
  for (const std::string runs_text : {"", "run_id,prob"}) {
    for (const std::string traces_text : {"", "run_"}) {
      fs::remove_all(part);
      fs::create_directories(part);
      std::ofstream(part / "runs.partial.csv") << runs_text;
      std::ofstream(part / "traces.partial.csv") << traces_text;
      INFO("runs.partial.csv '" << runs_text << "', traces.partial.csv '" << traces_text << "'");
      const SweepOutcome r = sweep(e, part, 2, 0, 1, true);
      CHECK(r.skipped == 0);
      CHECK(r.ran == 42);
      check_same(whole, part);
    }
  }
  fs::remove_all(whole);
  fs::remove_all(part);
}

TEST_CASE("resume refuses partial files from another experiment before running", "[resume]") {
  const Experiment e = parse_experiment(kExperiment, "unit.toml");
  const fs::path whole = fresh_dir("swhole"), part = fresh_dir("spart");
  sweep(e, whole, 2);
  const CsvTable runs = read_csv(whole / "runs.csv");
  const auto interrupted = [&](const std::vector<std::string>& header, std::size_t drop) {
    fs::remove_all(part);
    fs::create_directories(part);
    CsvWriter r = CsvWriter::appending(part / "runs.partial.csv", header);
    for (int i = 0; i < 4; ++i)
      r.row(std::vector<std::string>(runs.rows[i].begin(), runs.rows[i].end() - drop));
  };
  // Started with 3 seeds, resumed with 2: run 2 is then another configuration's first seed.
  interrupted(runs.header, 0);
  CHECK_THROWS_WITH(sweep(with_seeds(e, 2), part, 1, 0, 1, true),
                    Catch::Contains("run 2 does not match"));
  // Written by a version with one column less.
  interrupted(std::vector<std::string>(runs.header.begin(), runs.header.end() - 1), 1);
  CHECK_THROWS_WITH(sweep(e, part, 1, 0, 1, true), Catch::Contains("the header does not match"));
  CHECK_FALSE(fs::exists(part / "runs.csv"));
  CHECK(read_csv(part / "runs.partial.csv").rows.size() == 4);  // nothing appended
  fs::remove_all(whole);
  fs::remove_all(part);
}
