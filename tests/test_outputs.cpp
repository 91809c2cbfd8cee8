// lib/harness/outputs: a sweep's files, written once for a sweep and for merge.
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

TEST_CASE("merged shards equal the unsharded sweep", "[outputs]") {
  const Experiment e = parse_experiment(kExperiment, "unit.toml");
  const fs::path whole = fresh_dir("whole"), s0 = fresh_dir("s0"), s1 = fresh_dir("s1"),
                 s2 = fresh_dir("s2"), merged = fresh_dir("merged");
  sweep(e, whole, 2);
  CHECK(sweep(e, s0, 1, 0, 3).ran == 14);
  sweep(e, s1, 1, 1, 3);
  CHECK_THROWS_WITH(
      merge_sweeps({s0, s1}, merged),
      Catch::Contains("runs present: shard 2/3 missing (no directory given holds it)"));
  // A folder that is not there is missing; one with partial files is incomplete, and says so.
  CHECK_THROWS_WITH(merge_sweeps({s0, s1, s2}, merged),
                    Catch::Contains("1 of 3 directories not finished: ") &&
                        Catch::Contains("_s2_" + std::to_string(::getpid()) + " is missing"));
  fs::create_directories(s2);
  { std::ofstream(s2 / "runs.partial.csv") << "run_id\n5\n"; }
  CHECK_THROWS_WITH(
      merge_sweeps({s0, s1, s2}, merged),
      Catch::Contains("_s2_" + std::to_string(::getpid()) + " is incomplete (1 runs finished;"));
  fs::remove_all(s2);
  sweep(e, s2, 1, 2, 3);
  CHECK_THROWS_WITH(merge_sweeps({s0, s1, s1}, merged), Catch::Contains("appears twice"));
  // What a killed merge left in its staging folder goes; the folder's other files stay.
  fs::create_directories(merged / ".merge.partial");
  { std::ofstream(merged / ".merge.partial" / "runs.csv") << "torn"; }
  { std::ofstream(merged / "notes.txt") << "mine"; }
  merge_sweeps({s2, s0, s1}, merged);
  check_same(whole, merged);
  CHECK(!fs::exists(merged / ".merge.partial"));
  CHECK(read_text_file(merged / "notes.txt") == "mine");
  // A merge that fails leaves the merged folder as it was.
  const std::string runs = read_text_file(merged / "runs.csv");
  CHECK_THROWS(merge_sweeps({s0, s1, s1}, merged));
  CHECK(read_text_file(merged / "runs.csv") == runs);
  // Another experiment's results are replaced only with force.
  { std::ofstream(merged / "experiment.toml") << "name = \"other\"\n"; }
  CHECK_THROWS_WITH(
      merge_sweeps({s2, s0, s1}, merged),
      Catch::Contains("holds the results of another experiment") && Catch::Contains("--force"));
  merge_sweeps({s2, s0, s1}, merged, true);
  check_same(whole, merged);
  for (const auto& d : {whole, s0, s1, s2, merged}) fs::remove_all(d);
}

TEST_CASE("a sweep with overridden seeds records them, so its shards merge", "[outputs]") {
  const Experiment e = with_seeds(parse_experiment(kExperiment, "unit.toml"), 1);
  CHECK(e.seeds == 1);
  CHECK(parse_experiment(e.text, "again.toml").seeds == 1);
  CHECK_THAT(e.text, Catch::Contains("[optimizers.sgd]\nlr = { logspace"));  // the rest as is
  CHECK(expand(e).front().label == "sgd");  // the file's order, which is the runs' order
  CHECK(with_seeds(parse_experiment(kNoSeeds, "n.toml"), 2).seeds == 2);
  CHECK(with_seeds(parse_experiment(std::string("\xEF\xBB\xBF") + kNoSeeds, "bom.toml"), 2).seeds ==
        2);                                // a byte-order mark stays first
  CHECK(with_seeds(e, 1).text == e.text);  // unchanged when the count is the file's
  CHECK(expand(e).size() == expand(parse_experiment(kExperiment, "unit.toml")).size() / 3);
  const fs::path whole = fresh_dir("seeds_whole"), s0 = fresh_dir("seeds_s0"),
                 s1 = fresh_dir("seeds_s1"), merged = fresh_dir("seeds_merged");
  sweep(e, whole, 1);
  sweep(e, s0, 1, 0, 2);
  sweep(e, s1, 1, 1, 2);
  merge_sweeps({s0, s1}, merged);
  check_same(whole, merged);
  CHECK_THROWS_WITH(with_seeds(e, 0), Catch::Contains("--seeds"));
  for (const auto& d : {whole, s0, s1, merged}) fs::remove_all(d);
}
