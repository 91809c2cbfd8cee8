#!/usr/bin/python3
"""Tests of the table and plot scripts on a small hand-made sweep (exact table cells, figures
written, bad input rejected), and, when DESCENT_EXE names the descent binary, on a real sweep.

    /usr/bin/python3 scripts/test_scripts.py [-v]
    DESCENT_EXE=build/descent /usr/bin/python3 scripts/test_scripts.py
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable or "/usr/bin/python3"

# The column facts as the C++ side declares them and a real sweep records them: the fixture
# writes them into its meta.json and has the columns they describe, so the tests keep no list
# of column names of their own.
with open(os.path.join(HERE, "..", "results", "default", "meta.json"), encoding="utf-8") as f:
    COLUMNS = json.load(f)["columns"]
METRICS = [c["name"] for c in COLUMNS["runs"] if c["summarized"]]  # best.csv: <metric>_<stat>
TO_TARGET = [c["name"] for c in COLUMNS["runs"] if c["to_target"]]
STATS = COLUMNS["summary_stats"]
P1, P2 = "quadratic:dim=2,cond=10", "rosenbrock"
# best.csv: (problem, optimizer, lr, success rate, iters_to_target median/q25/q75, final_loss)
BEST = [
    (P1, "sgd", 0.1, 1, ("412", "380", "455"), ("0.000123456", "1e-4", "2e-4")),
    (P1, "adam", 0.01, 0, ("inf", "inf", "inf"), ("0.5", "0.4", "0.6")),
    (P2, "sgd", 0.1, 0.666667, ("696.5", "600.25", "inf"), ("1234567", "1e6", "2e6")),
    (P2, "adam", 0.01, 1, ("100", "90", "110"), ("3", "2", "4")),
]
LRS = [0.001, 0.01, 0.1, 1.0]
TARGET = 1e-6


def drop_column(path, name):
    with open(path) as f:
        rows = list(csv.reader(f))
    col = rows[0].index(name)
    write_csv(path, rows[0][:col] + rows[0][col + 1:], [r[:col] + r[col + 1:] for r in rows[1:]])


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def add_column(path, name, value):
    with open(path) as f:
        rows = list(csv.reader(f))
    write_csv(path, rows[0] + [name], [r + [value] for r in rows[1:]])


def write_rows(path, header, rows):
    """Rows given as {column: value}; a column a row leaves out is empty, and a column not in
    the header is an error (the fixture names only columns the facts declare)."""
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, header, restval="")
        w.writeheader()
        w.writerows(rows)


def hyperparameters(lr):
    return {"lr": lr, "clip": 0, "weight_decay": 0}


def config(opt, lr):
    return f"{opt}:" + ",".join(f"{k}={v}" for k, v in hyperparameters(lr).items())


def hp_columns(lr):
    """{hp_lr: lr, ...}: the facts' "hp_<key>" stands for one column per optimizer key."""
    hp = next(c["name"] for c in COLUMNS["runs"] if c["role"] == "hyperparameters")
    return {hp.replace("<key>", k): v for k, v in hyperparameters(lr).items()}


def runs_columns():
    """runs.csv's header, from the facts."""
    header = []
    for c in COLUMNS["runs"]:
        header += list(hp_columns(0)) if c["role"] == "hyperparameters" else [c["name"]]
    return header


def make_fixture(d):
    """A sweep directory: 2 problems × 2 optimizers × 4 learning rates × 3 seeds."""
    keys = [c["name"] for c in COLUMNS["runs"] if c["configuration"]]
    header = keys + ["seeds", "success_rate", "tune_metric", "tune_stat", "tune_value"]
    header += [f"{m}_{q}" for m in METRICS for q in STATS]
    rows = []
    for p, o, lr, rate, iters, loss in BEST:
        # No test set (empty), except that every run of P1's adam "failed" (-inf).
        acc = ("-inf",) * 3 if (p, o) == (P1, "adam") else ("",) * 3
        r = {"problem": p, "optimizer": o, "config": config(o, lr), "schedule": "constant",
             "batch": 0, "seeds": 3, "success_rate": rate, "tune_metric": "iters_to_target",
             "tune_stat": STATS[0], "tune_value": iters[0]}
        for m in METRICS:
            values = {"iters_to_target": iters, "evals_to_target": iters,
                      "final_loss": loss, "final_test_acc": acc}.get(m, ("1.5",) * 3)
            r.update({f"{m}_{q}": v for q, v in zip(STATS, values)})
        rows.append(r)
    write_rows(os.path.join(d, "best.csv"), header, rows)

    runs, traces, run_id = [], [], 0
    for p in (P1, P2):
        for o in ("sgd", "adam"):
            for lr in LRS:
                for rep in range(3):
                    diverged = lr == 1.0 and o == "sgd"
                    rate = 0.5 + lr + 0.1 * rep  # per-step contraction of the gap
                    reached = not diverged and rate < 1
                    n = 64 if not diverged else 4
                    pts = [0] + [2**k for k in range(7) if 2**k <= n]
                    gap0 = 10.0
                    for it in pts:
                        g = gap0 * (rate**it if not diverged else 10.0**it)
                        traces.append({"run_id": run_id, "iter": it, "epoch": it,
                                       "grad_evals": it, "time_s": 1e-6 * (it + 1), "loss": g,
                                       "gap": g, "grad_norm": g})
                    final = gap0 * (rate**n if not diverged else 10.0**n)
                    hit = next((it for it in pts if gap0 * rate**it <= TARGET), "") \
                        if reached else ""
                    runs.append({"run_id": run_id, "problem": p, "optimizer": o,
                                 "config": config(o, lr), "schedule": "constant", "batch": 0,
                                 **hp_columns(lr), "rep": rep, "seed": 1000 + rep,
                                 "status": "diverged" if diverged else "ok", "iters": n,
                                 "epochs": n, "grad_evals": n, "hess_evals": 0,
                                 "final_loss": final, "best_loss": final, "final_gap": final,
                                 "iters_to_target": hit, "evals_to_target": hit,
                                 "epochs_to_target": hit,
                                 "time_to_target_s": "" if hit == "" else 1e-6 * hit,
                                 "wall_s": 1e-3})
                    run_id += 1
    write_rows(os.path.join(d, "runs.csv"), runs_columns(), runs)
    write_rows(os.path.join(d, "traces.csv"),
               ["run_id"] + [c["name"] for c in COLUMNS["traces"]], traces)
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump({"columns": COLUMNS}, f, indent=4)
    with open(os.path.join(d, "experiment.toml"), "w") as f:
        f.write(f'name = "fixture"\ntarget = {{ gap = {TARGET} }}\n')


# budget.csv of a random search with default runs: (problem, optimizer) → {k: (median, q25,
# q75)}, N = 4 configurations, 3 seeds.
BUDGET = {
    (P1, "sgd"): {0: (0.5, 0.4, 0.6), 1: (0.25, 0.2, 0.3), 2: (0.125, 0.1, 0.15),
                  4: (0.0123456, 0.01, 0.02)},
    (P1, "adam"): {0: (0.75, 0.7, 0.8), 1: ("inf", "inf", "inf"), 2: (0.3, 0.2, "inf"),
                   4: (0.001, 0.0009, 0.0011)},
    (P2, "sgd"): {0: (30, 20, 40), 1: (12, 11, 13), 2: (3, 2, 4), 4: (1234567, 1e6, 2e6)},
    (P2, "adam"): {0: (40, 30, 50), 1: (10, 9, 11), 2: (5, 4, 6), 4: (2, 1, 3)},
}


def make_budget(d, defaults=True):
    """Makes the fixture a random-search sweep with budget.csv (and default runs, k = 0)."""
    header = [c["name"] for c in COLUMNS["budget"]]
    rows = []
    for (p, o), curve in BUDGET.items():
        for k, (median, q25, q75) in curve.items():
            if k == 0 and not defaults:
                continue
            rows.append({"problem": p, "optimizer": o, "k": k, "configurations": 1 if k == 0 else 4,
                         "seeds": 3, "metric": "final_loss", "median": median, "q25": q25,
                         "q75": q75, "mean": median})
    write_rows(os.path.join(d, "budget.csv"), header, rows)
    with open(os.path.join(d, "experiment.toml"), "a") as f:
        f.write('search = { method = "random", samples = 4, defaults = true }\n')
    # meta.json says the sweep has budget.csv, as descent sweep writes it for random search.
    path = os.path.join(d, "meta.json")
    with open(path, encoding="utf-8") as f:
        meta = json.load(f)
    meta["budget"] = {"metric": "final_loss", "better": "lower", "defaults": defaults}
    with open(path, "w") as f:
        json.dump(meta, f, indent=4)


def markdown_tables(text):
    """{problem: {optimizer: [cells]}} of tables.py --budget's tables, each under `problem`."""
    out, problem = {}, None
    for line in text.splitlines():
        if line.startswith("`") and line.endswith("`"):
            problem = line.strip("`")
            out[problem] = {}
        elif line.startswith("|") and problem is not None:
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells[0] not in ("optimizer",) and not set(cells[0]) <= set(":-"):
                out[problem][cells[0]] = cells[1:]
            elif cells[0] == "optimizer":
                out[problem]["optimizer"] = cells[1:]
    return out


def make_trace(path, columns=("iter", "loss", "x0", "x1")):
    rows = [[k, 1.0 / (k + 1), -1.2 + 0.2 * k, 1.0 - 0.05 * k][:len(columns)] for k in range(12)]
    write_csv(path, columns, rows)


def run(script, *args):
    return subprocess.run([PY, os.path.join(HERE, script), *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def table_cells(markdown):
    """{optimizer: [cells]} of a Markdown table."""
    lines = [l for l in markdown.splitlines() if l.startswith("|")]
    rows = [[c.strip() for c in l.strip("|").split("|")] for l in lines[2:]]
    return {r[0]: r[1:] for r in rows}


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="descent-scripts-")
        self.dir = os.path.join(self.tmp, "results", "fixture")
        os.makedirs(self.dir)
        make_fixture(self.dir)
        self.figs = os.path.join(self.tmp, "figs")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def ok(self, script, *args):
        r = run(script, *args)
        self.assertEqual(r.returncode, 0, f"{script} {args}: {r.stderr}")
        return r

    def bad(self, script, *args, names=()):
        """Exit status 2, one `error:` line on stderr naming each of `names`."""
        r = run(script, *args)
        self.assertEqual(r.returncode, 2, f"{script} {args}: rc {r.returncode}: {r.stderr}")
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith("error: "), r.stderr)
        for n in names:
            self.assertIn(n, lines[0])
        return lines[0]

    def assertFigures(self, stem):
        with open(stem + ".png", "rb") as f:
            head = f.read(8)
        self.assertEqual(head, b"\x89PNG\r\n\x1a\n", stem)
        self.assertGreater(os.path.getsize(stem + ".png"), 5000, stem)
        with open(stem + ".svg") as f:
            self.assertIn("<svg", f.read(2000), stem)

    def assertNoTemporaries(self, folder):
        if os.path.isdir(folder):
            self.assertEqual([f for f in os.listdir(folder) if f.startswith(".tmp-")], [])


class Tables(Base):
    def test_cells(self):
        r = self.ok("tables.py", self.dir)
        out = os.path.join(self.tmp, "results", "tables", "fixture.md")
        with open(out, encoding="utf-8") as f:
            text = f.read()
        self.assertEqual(text, r.stdout)
        cells = table_cells(text)
        self.assertEqual(cells["sgd"], ["**412 [380–455] (100%)**", "697 [600–∞] (67%)"])
        self.assertEqual(cells["adam"], ["∞ (0%)", "**100 [90–110] (100%)**"])
        self.assertIn("| optimizer", text)
        self.assertIn(P1, text.splitlines()[2])
        self.assertNoTemporaries(os.path.dirname(out))

    def test_metric_and_out(self):
        out = os.path.join(self.tmp, "t.md")
        self.ok("tables.py", self.dir, "--metric", "final_loss", "--out", out)
        with open(out, encoding="utf-8") as f:
            cells = table_cells(f.read())
        self.assertEqual(cells["sgd"], ["**0.000123 [0.0001–0.0002] (100%)**",
                                        "1.23e6 [1e6–2e6] (67%)"])
        self.assertEqual(cells["adam"], ["0.5 [0.4–0.6] (0%)", "**3 [2–4] (100%)**"])

    def test_metric_the_problems_lack(self):
        # No test set: best.csv leaves final_test_acc empty and the cell is a bare "—"; where
        # every run failed (-inf) the cell keeps its success rate.
        out = os.path.join(self.tmp, "t.md")
        self.ok("tables.py", self.dir, "--metric", "final_test_acc", "--out", out)
        with open(out, encoding="utf-8") as f:
            cells = table_cells(f.read())
        self.assertEqual(cells, {"sgd": ["—", "—"], "adam": ["— (0%)", "—"]})

    def test_readme(self):
        readme = os.path.join(self.tmp, "README.md")
        with open(readme, "w") as f:
            f.write("intro\n<!-- table:demo:begin -->\nOLD TABLE\n<!-- table:demo:end -->\nrest\n")
        self.ok("tables.py", self.dir, "--readme", readme, "--marker", "demo")
        with open(readme, encoding="utf-8") as f:
            text = f.read()
        self.assertTrue(text.startswith("intro\n<!-- table:demo:begin -->\nfixture: median"))
        self.assertTrue(text.endswith("|\n<!-- table:demo:end -->\nrest\n"))
        self.assertNotIn("OLD TABLE", text)
        self.assertIn("**412 [380–455] (100%)**", text)
        # Missing markers: an error, and the README is left alone.
        self.bad("tables.py", self.dir, "--readme", readme, "--marker", "other",
                 names=["README.md", "table:other:begin"])
        with open(readme, encoding="utf-8") as f:
            self.assertEqual(f.read(), text)

    def test_missing_column(self):
        drop_column(os.path.join(self.dir, "best.csv"), "success_rate")
        out = os.path.join(self.tmp, "t.md")
        self.bad("tables.py", self.dir, "--out", out, names=["best.csv", "success_rate"])
        self.assertFalse(os.path.exists(out))

    def test_missing_file(self):
        self.bad("tables.py", os.path.join(self.tmp, "nothing"), names=["meta.json"])
        os.remove(os.path.join(self.dir, "best.csv"))
        self.bad("tables.py", self.dir, names=["best.csv"])


class Budget(Base):
    """tables.py --budget and plot_budget.py on budget.csv: what tuning buys."""

    def test_cells(self):
        make_budget(self.dir)
        r = self.ok("tables.py", self.dir, "--budget", "0,1,4")
        out = os.path.join(self.tmp, "results", "tables", "fixture_budget.md")
        with open(out, encoding="utf-8") as f:
            text = f.read()
        self.assertEqual(text, r.stdout)
        self.assertTrue(text.startswith("fixture: what tuning buys: the expected best final_loss"))
        tables = markdown_tables(text)
        self.assertEqual(list(tables), [P1, P2])
        self.assertEqual(tables[P1]["optimizer"], ["N", "default", "k = 1", "k = 4"])
        self.assertEqual(tables[P1]["sgd"], ["4", "**0.5 [0.4–0.6]**", "**0.25 [0.2–0.3]**",
                                             "0.0123 [0.01–0.02]"])
        self.assertEqual(tables[P1]["adam"], ["4", "0.75 [0.7–0.8]", "∞",
                                              "**0.001 [0.0009–0.0011]**"])
        self.assertEqual(tables[P2]["sgd"], ["4", "**30 [20–40]**", "12 [11–13]",
                                             "1.23e6 [1e6–2e6]"])
        self.assertEqual(tables[P2]["adam"], ["4", "40 [30–50]", "**10 [9–11]**", "**2 [1–3]**"])
        # Another choice of k, in the order given; an infinite quartile shows as ∞.
        out2 = os.path.join(self.tmp, "b.md")
        self.ok("tables.py", self.dir, "--budget", "2", "--out", out2)
        with open(out2, encoding="utf-8") as f:
            tables = markdown_tables(f.read())
        self.assertEqual(tables[P1]["adam"], ["4", "0.3 [0.2–∞]"])
        self.assertEqual(tables[P1]["sgd"], ["4", "**0.125 [0.1–0.15]**"])

    def test_readme(self):
        make_budget(self.dir)
        readme = os.path.join(self.tmp, "README.md")
        with open(readme, "w") as f:
            f.write("a\n<!-- table:fixture-budget:begin -->\nOLD\n<!-- table:fixture-budget:end -->\n")
        self.ok("tables.py", self.dir, "--budget", "1", "--readme", readme,
                "--out", os.path.join(self.tmp, "b.md"))
        with open(readme, encoding="utf-8") as f:
            text = f.read()
        self.assertNotIn("OLD", text)
        self.assertIn("**10 [9–11]**", text)

    def test_errors(self):
        out = os.path.join(self.tmp, "b.md")
        # Grid search: no budget.csv, and what to change.
        self.bad("tables.py", self.dir, "--budget", "1", "--out", out,
                 names=["budget.csv", "grid search", 'method = "random"', "samples = N"])
        self.bad("plot_budget.py", self.dir, "--out", self.figs, names=["budget.csv", "grid"])
        make_budget(self.dir, defaults=False)
        self.bad("tables.py", self.dir, "--budget", "0,1", "--out", out,
                 names=["k = 0", "defaults = true"])
        self.bad("tables.py", self.dir, "--budget", "1,3", "--out", out,
                 names=["k = 3", "k = 1, 2, 4", "search.budgets"])
        self.bad("tables.py", self.dir, "--budget", "8", "--out", out,
                 names=["k = 8 exceeds the 4 configurations", "search.samples"])
        for text in ("x", "1,,2", "-1", ""):
            self.bad("tables.py", self.dir, "--budget", text, "--out", out, names=["--budget"])
        self.bad("tables.py", self.dir, "--budget", "1", "--metric", "final_gap", "--out", out,
                 names=["final_gap", "final_loss"])
        self.assertFalse(os.path.exists(out))
        # A random-search folder without budget.csv: a shard, or an older descent.
        os.remove(os.path.join(self.dir, "budget.csv"))
        self.bad("tables.py", self.dir, "--budget", "1", "--out", out, names=["merge"])

    def test_plot(self):
        make_budget(self.dir)
        self.ok("plot_budget.py", self.dir, "--out", self.figs)
        self.assertFigures(os.path.join(self.figs, "fixture_budget"))
        self.assertNoTemporaries(self.figs)
        self.ok("plot_budget.py", self.dir)  # beside the results, like every figure
        self.assertFigures(os.path.join(self.tmp, "results", "figures", "fixture_budget"))
        # A loss of exactly 0 (Rosenbrock reached) on a log axis, an infinite default.
        path = os.path.join(self.dir, "budget.csv")
        with open(path) as f:
            rows = list(csv.reader(f))
        for r in rows[1:]:
            if r[1] == "adam" and r[2] in ("0", "4"):
                r[6:9] = ["inf"] * 3 if r[2] == "0" else ["0"] * 3
        write_csv(path, rows[0], rows[1:])
        self.ok("plot_budget.py", self.dir, "--out", self.figs)
        self.assertFigures(os.path.join(self.figs, "fixture_budget"))
        # Without default runs (no k = 0) it draws the curves alone.
        make_budget(self.dir, defaults=False)
        self.ok("plot_budget.py", self.dir, "--out", self.figs)
        self.assertFigures(os.path.join(self.figs, "fixture_budget"))


class ColumnFacts(Base):
    """The scripts know the columns only from the sweep's meta.json: without it, or with a
    broken one, each is one error line naming it; an option naming a column the facts lack is
    refused with the valid names; a metric the facts add needs nothing in the scripts."""

    def test_no_or_broken_meta(self):
        meta = os.path.join(self.dir, "meta.json")
        out = os.path.join(self.tmp, "t.md")
        for content in ("{not json", '{"cpu": "x"}', '{"columns": {"runs": []}}', None):
            with self.subTest(content=content):
                if content is None:
                    os.remove(meta)
                else:
                    with open(meta, "w") as f:
                        f.write(content)
                self.bad("tables.py", self.dir, "--out", out, names=[meta])
                self.bad("plot_convergence.py", self.dir, "--out", self.figs, names=[meta])
        self.assertFalse(os.path.exists(out))
        self.assertFalse(os.path.exists(self.figs))

    def test_unknown_column(self):
        self.bad("tables.py", self.dir, "--metric", "bogus",
                 names=["--metric", "'bogus'", "meta.json"] + METRICS)
        self.bad("plot_profiles.py", self.dir, "--metric", METRICS[0],
                 names=["--metric", f"'{METRICS[0]}'"] + TO_TARGET)
        self.bad("plot_convergence.py", self.dir, "--x", "bogus", names=["--x", "'bogus'"])
        self.bad("plot_convergence.py", self.dir, "--y", "bogus", names=["--y", "'bogus'"])
        self.assertFalse(os.path.exists(self.figs))

    def test_new_metric(self):
        meta = os.path.join(self.dir, "meta.json")
        new = {**COLUMNS["runs"][-1], "name": "final_new", "label": "new", "summarized": True,
               "better": "lower", "integer": False, "to_target": False, "timing": False}
        facts = {**COLUMNS, "runs": COLUMNS["runs"] + [new]}
        with open(meta, "w") as f:
            json.dump({"columns": facts}, f)
        for q, v in zip(STATS, ("0.25", "0.2", "0.3")):
            add_column(os.path.join(self.dir, "best.csv"), f"final_new_{q}", v)
        out = os.path.join(self.tmp, "t.md")
        self.ok("tables.py", self.dir, "--metric", "final_new", "--out", out)
        with open(out, encoding="utf-8") as f:
            cells = table_cells(f.read())
        self.assertEqual(cells["adam"], ["**0.25 [0.2–0.3] (0%)**", "**0.25 [0.2–0.3] (100%)**"])


class Plots(Base):
    def test_convergence(self):
        self.ok("plot_convergence.py", self.dir, "--out", self.figs)
        for p in ("quadratic-dim2-cond10", "rosenbrock"):
            self.assertFigures(os.path.join(self.figs, f"fixture_{p}_gap_vs_iter"))
        self.ok("plot_convergence.py", self.dir, "--out", self.figs, "--x", "time_s",
                "--y", "loss")
        self.assertFigures(os.path.join(self.figs, "fixture_rosenbrock_loss_vs_time_s"))
        self.assertNoTemporaries(self.figs)

    def test_convergence_default_folder(self):
        self.ok("plot_convergence.py", self.dir)
        self.assertFigures(os.path.join(self.tmp, "results", "figures",
                                        "fixture_rosenbrock_gap_vs_iter"))

    def test_sensitivity(self):
        self.ok("plot_sensitivity.py", self.dir, "--out", self.figs)
        self.assertFigures(os.path.join(self.figs, "fixture_sensitivity_lr"))

    def test_profiles(self):
        for m in TO_TARGET:
            self.ok("plot_profiles.py", self.dir, "--out", self.figs, "--metric", m)
            self.assertFigures(os.path.join(self.figs, f"fixture_profiles_{m}"))

    def test_trajectories(self):
        a, b = os.path.join(self.tmp, "a.csv"), os.path.join(self.tmp, "b.csv")
        make_trace(a)
        make_trace(b)
        for problem in ("rosenbrock", "beale", "saddle"):
            out = os.path.join(self.figs, f"traj_{problem}.png")
            self.ok("plot_trajectories.py", a, b, "--problem", problem, "--labels", "sgd",
                    "adam", "--out", out)
            self.assertFigures(out[:-4])

    def test_bad_input(self):
        drop_column(os.path.join(self.dir, "runs.csv"), "hp_lr")
        self.bad("plot_sensitivity.py", self.dir, "--out", self.figs, names=["runs.csv", "hp_lr"])
        self.assertFalse(os.path.exists(os.path.join(self.figs, "fixture_sensitivity_lr.png")))
        t = os.path.join(self.tmp, "t.csv")
        make_trace(t, ("iter", "loss", "x0"))
        self.bad("plot_trajectories.py", t, "--problem", "beale", "--out",
                 os.path.join(self.figs, "t.png"), names=["t.csv", "x1"])
        self.assertFalse(os.path.exists(os.path.join(self.figs, "t.png")))
        os.remove(os.path.join(self.dir, "traces.csv"))
        self.bad("plot_convergence.py", self.dir, "--out", self.figs, names=["traces.csv"])

    def test_help(self):
        for s in ("tables.py", "plot_convergence.py", "plot_trajectories.py",
                  "plot_sensitivity.py", "plot_profiles.py", "plot_budget.py"):
            self.assertIn("usage:", self.ok(s, "--help").stdout)


@unittest.skipUnless(os.environ.get("DESCENT_EXE"), "DESCENT_EXE not set")
class RealSweep(Base):
    """Every script on the output of the real binary."""

    def assertFacts(self, out):
        """The sweep's files have the columns its meta.json declares."""
        with open(os.path.join(out, "meta.json"), encoding="utf-8") as f:
            facts = json.load(f)["columns"]
        runs = [c for c in facts["runs"] if c["role"] != "hyperparameters"]
        header = {}
        for name in ("best.csv", "runs.csv", "traces.csv"):
            with open(os.path.join(out, name)) as f:
                header[name] = next(csv.reader(f))
        for c in runs:
            self.assertIn(c["name"], header["runs.csv"])
            for q in facts["summary_stats"] if c["summarized"] else []:
                self.assertIn(f"{c['name']}_{q}", header["best.csv"])
        self.assertLessEqual({c["name"] for c in facts["traces"]}, set(header["traces.csv"]))

    def test_all(self):
        exe = os.path.abspath(os.environ["DESCENT_EXE"])
        toml = os.path.join(self.tmp, "real.toml")
        with open(toml, "w") as f:
            f.write('name = "real"\nproblems = ["quadratic:dim=5,cond=10", "rosenbrock"]\n'
                    'seeds = 2\nbudget = { iters = 300 }\ntarget = { gap = 1e-4 }\n'
                    'log = { points = 30 }\ntune = { metric = "iters_to_target" }\n'
                    '[optimizers.sgd]\nlr = [1e-3, 1e-2]\n'
                    '[optimizers.adam]\nlr = [1e-2, 1e-1]\n')
        out = os.path.join(self.tmp, "results", "real")
        r = subprocess.run([exe, "sweep", toml, "--out", out, "--quiet", "--threads", "1"],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFacts(out)
        text = self.ok("tables.py", out).stdout
        self.assertEqual(set(table_cells(text)), {"sgd", "adam"})
        self.ok("plot_convergence.py", out, "--out", self.figs)
        self.assertFigures(os.path.join(self.figs, "real_rosenbrock_gap_vs_iter"))
        self.ok("plot_sensitivity.py", out, "--out", self.figs)
        self.assertFigures(os.path.join(self.figs, "real_sensitivity_lr"))
        self.ok("plot_profiles.py", out, "--out", self.figs)
        self.assertFigures(os.path.join(self.figs, "real_profiles_iters_to_target"))
        # A random search with default runs: budget.csv, its table and its figure.
        with open(toml, "w") as f:
            f.write('name = "random"\nproblems = ["quadratic:dim=5,cond=10,rotate=1"]\n'
                    'seeds = 3\nbudget = { iters = 100 }\nlog = { points = 10 }\n'
                    'search = { method = "random", samples = 8, defaults = true }\n'
                    '[optimizers.sgd]\nlr = { loguniform = [1e-3, 3.0] }\n'
                    '[optimizers.adam]\nlr = { loguniform = [1e-4, 1.0] }\n')
        random = os.path.join(self.tmp, "results", "random")
        r = subprocess.run([exe, "sweep", toml, "--out", random, "--quiet", "--threads", "1"],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFacts(random)
        with open(os.path.join(random, "budget.csv")) as f:
            budget = list(csv.DictReader(f))
        self.assertEqual([(b["optimizer"], b["k"]) for b in budget],
                         [(o, k) for o in ("sgd", "adam") for k in ("0", "1", "2", "4", "8")])
        tables = markdown_tables(self.ok("tables.py", random, "--budget", "0,1,8").stdout)
        self.assertEqual(set(tables["quadratic:dim=5,cond=10,rotate=1"]),
                         {"optimizer", "sgd", "adam"})
        self.ok("plot_budget.py", random, "--out", self.figs)
        self.assertFigures(os.path.join(self.figs, "random_budget"))
        self.bad("tables.py", out, "--budget", "1", names=["grid search"])
        trace = os.path.join(self.tmp, "adam.csv")
        r = subprocess.run([exe, "run", "--problem", "rosenbrock", "--optimizer", "adam:lr=0.1",
                            "--iters", "200", "--trace", trace, "--trace-x"],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.ok("plot_trajectories.py", trace, "--problem", "rosenbrock", "--out",
                os.path.join(self.figs, "traj"))
        self.assertFigures(os.path.join(self.figs, "traj"))


class Provenance(Base):
    """provenance.py on a sweep folder's meta.json: the same build passes; a native build,
    another version or an old folder is one error line, and nothing is written."""

    FACTS = {"version": "0.1.0", "build": "portable", "isa": "x86-64-v3", "flags": "-O3"}

    def folder(self, name, build):
        d = os.path.join(self.tmp, name)
        os.makedirs(d)
        with open(os.path.join(d, "meta.json"), "w") as f:
            json.dump({"cpu": "x", "build": build} if build is not None else {"cpu": "x"}, f)
        return d

    def test_check(self):
        committed = os.path.join(self.tmp, "build.json")
        with open(committed, "w") as f:
            json.dump(self.FACTS, f)
        self.ok("provenance.py", "check", committed, "--folder", self.folder("same", self.FACTS))
        native = {**self.FACTS, "build": "native", "isa": "native"}
        line = self.bad("provenance.py", "check", committed, "--folder", self.folder("n", native),
                        names=("native build", "x86-64-v3", "scripts/build.sh"))
        self.assertNotIn("version", line)
        other = {**self.FACTS, "version": "0.2.0"}
        self.bad("provenance.py", "check", committed, "--folder", self.folder("v", other),
                 names=("version", "'0.2.0' here", "'0.1.0' there"))
        self.bad("provenance.py", "check", committed, "--folder", self.folder("old", None),
                 names=("no build facts",))
        with open(committed) as f:
            self.assertEqual(json.load(f), self.FACTS)  # checks rewrite nothing

    def test_record_refuses_native(self):
        out = os.path.join(self.tmp, "build.json")
        native = {**self.FACTS, "build": "native"}
        self.bad("provenance.py", "record", "--folder", self.folder("n", native), "--out", out,
                 names=("native",))
        self.assertFalse(os.path.exists(out))

    @unittest.skipUnless(os.environ.get("DESCENT_EXE"), "DESCENT_EXE not set")
    def test_real_binary(self):
        """The binary's --version facts are the ones its sweeps record in meta.json."""
        exe = os.path.abspath(os.environ["DESCENT_EXE"])
        out = os.path.join(self.tmp, "facts.json")
        self.ok("provenance.py", "record", "--exe", exe, "--out", out)
        toml = os.path.join(self.tmp, "one.toml")
        with open(toml, "w") as f:
            f.write('name = "one"\nproblems = ["rosenbrock"]\nbudget = { iters = 10 }\n'
                    '[optimizers.sgd]\nlr = [1e-3]\n')
        sweep = os.path.join(self.tmp, "one")
        r = subprocess.run([exe, "sweep", toml, "--out", sweep, "--quiet"], capture_output=True,
                           text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.ok("provenance.py", "check", out, "--folder", sweep)
        with open(out) as f:
            self.assertEqual(json.load(f)["isa"], "x86-64-v3")


@unittest.skipUnless(os.environ.get("DESCENT_BENCH_EXE"), "DESCENT_BENCH_EXE not set")
class BenchProcesses(Base):
    """bench_processes.py on the real benchmark binary, with runs cut short."""

    def test_values_per_process(self):
        exe = os.environ["DESCENT_BENCH_EXE"]
        out = os.path.join(self.tmp, "spread.json")
        r = self.ok("bench_processes.py", "--exe", exe, "--filter", "BM_BareLoop|BM_CallLoop",
                    "--processes", "2", "--out", out, "--", "--benchmark_min_time=0.001")
        self.assertIn("BM_CallLoop", r.stdout)
        with open(out) as f:
            data = json.load(f)
        self.assertEqual(sorted(data["values"]), ["BM_BareLoop", "BM_CallLoop"])
        for name, values in data["values"].items():
            self.assertEqual(len(values), 2, name)
            # A 2-D Adam step takes nanoseconds: the counter is read in ns, not s or ms.
            self.assertTrue(all(1 < v < 1000 for v in values), (name, values))
            self.assertEqual(data["median"][name], sum(values) / 2)

    def test_bad_input(self):
        exe = os.environ["DESCENT_BENCH_EXE"]
        self.bad("bench_processes.py", "--exe", exe, "--filter", "BM_NoSuchThing",
                 "--processes", "1", names=["BM_NoSuchThing"])
        self.bad("bench_processes.py", "--exe", exe, "--filter", "BM_BareLoop", "--processes",
                 "1", "--counter", "bogus", "--", "--benchmark_min_time=0.001", names=["bogus"])
        self.bad("bench_processes.py", "--exe", "/nonexistent", names=["/nonexistent"])
        self.bad("bench_processes.py", "--exe", exe, "--processes", "0", names=["--processes"])
        self.bad("bench_processes.py", "--exe", os.path.dirname(exe), names=["no such executable"])
        self.bad("bench_processes.py", "--exe", "/bin/echo", "--processes", "1",
                 names=["/bin/echo", "JSON"])
        self.bad("bench_processes.py", "--exe", exe, "--out", "/nonexistent/x.json",
                 names=["/nonexistent/x.json"])
        self.bad("bench_processes.py", "--exe", exe, "--", "--benchmark_repetitions=1",
                 names=["--benchmark_repetitions=1"])


if __name__ == "__main__":
    unittest.main()
