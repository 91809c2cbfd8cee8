#!/usr/bin/python3
"""The ISA-leak test: a few runs whose exact results (hexadecimal floats, `descent run --exact`)
are committed in tests/exact/runs.csv. A build with the same facts (tests/exact/build.json) must
give them bit for bit on every CPU of its ISA level; the first run that differs is named.

The runs go through what could tie a number to the CPU: Eigen's reductions and GEMV (rotated
quadratic, dim 100), its GEMM with a deep inner dimension (the MLP's full-batch gradient on
digits), a data problem's full gradient (logreg on breast_cancer), decompositions (Newton), line
searches (L-BFGS, CG), libm (exp, log, pow, cos, tanh: rastrigin, softmax, the MLPs, a cosine
schedule), the normal distribution (noisy_quadratic) and float32 runs (float GEMM, GEMV and exp).

    exact_runs.py [--exe build/descent]            check on this CPU
    exact_runs.py --runner 'qemu-x86_64 -cpu EPYC-Milan'   check on an emulated other CPU
    exact_runs.py --update                         rewrite the values (portable builds only)
    exact_runs.py --any-build                      compare a build of other facts anyway

Exit status 0 when every run agrees, 1 when one differs, 2 for bad input.
"""
import csv
import io
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import provenance  # noqa: E402
from scriptlib import InputError, Parser, main_guard, write_text  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(ROOT, "tests", "exact", "runs.csv")
BUILD = os.path.join(ROOT, "tests", "exact", "build.json")
INPUTS = ["name", "problem", "optimizer", "schedule", "iters", "batch", "seed", "dtype"]


def read_table(path):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file")
    if not rows:
        raise InputError(f"{path}: no runs")
    missing = [c for c in INPUTS if c not in rows[0]]
    if missing:
        raise InputError(f"{path}: missing column '{missing[0]}'")
    return rows


def run_exact(exe, runner, row):
    """The `exact KEY VALUE` lines of one run, as a dict."""
    cmd = [*runner, exe, "run", "--problem", row["problem"], "--optimizer", row["optimizer"],
           "--schedule", row["schedule"], "--iters", row["iters"], "--seed", row["seed"],
           "--log-every", row["iters"], "--dtype", row["dtype"], "--exact"]
    if row["batch"] not in ("", "0"):
        cmd += ["--batch", row["batch"]]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        err = (out.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise InputError(f"run '{row['name']}' failed (exit status {out.returncode}): {err}")
    values = dict(line.split()[1:3] for line in out.stdout.splitlines()
                  if line.startswith("exact "))
    if not values:
        raise InputError(f"run '{row['name']}': '{exe} run --exact' printed no exact values")
    return values


def update(rows, exe, runner):
    provenance.record(provenance.facts_of_exe(exe, runner), BUILD)
    results = [run_exact(exe, runner, row) for row in rows]
    keys = list(results[0])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=INPUTS + keys, lineterminator="\n")
    writer.writeheader()
    for row, values in zip(rows, results):
        writer.writerow({**{c: row[c] for c in INPUTS}, **values})
    write_text(TABLE, out.getvalue())
    print(f"exact runs: wrote {len(rows)} runs to {TABLE} and the build's facts to {BUILD}")


def check(rows, exe, runner):
    """Prints one line per run; returns the number of runs that differ."""
    failed = 0
    for row in rows:
        values = run_exact(exe, runner, row)
        diffs = [f"{k} {v} here, {row.get(k) or '(none)'} committed"
                 for k, v in values.items() if row.get(k) != v]
        if diffs and not failed:
            print(f"FAIL: first run that differs: '{row['name']}' ({row['problem']}, "
                  f"{row['optimizer']}): {'; '.join(diffs)}")
        elif diffs:
            print(f"FAIL: '{row['name']}' differs too: {'; '.join(diffs)}")
        else:
            print(f"ok    {row['name']}")
        failed += bool(diffs)
    return failed


def main():
    parser = Parser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exe", default=os.environ.get("DESCENT_EXE",
                                                        os.path.join(ROOT, "build", "descent")))
    parser.add_argument("--runner", default="", help="command that runs the binary (e.g. qemu)")
    parser.add_argument("--update", action="store_true", help="rewrite the committed values")
    parser.add_argument("--any-build", action="store_true",
                        help="compare even when the build's facts differ from build.json")
    args = parser.parse_args()
    runner = shlex.split(args.runner)
    rows = read_table(TABLE)
    if args.update:
        return update(rows, args.exe, runner)
    facts = provenance.facts_of_exe(args.exe, runner)
    if not args.any_build:
        provenance.check(BUILD, facts, args.exe)
    failed = check(rows, args.exe, runner)
    where = f" under '{args.runner}'" if runner else ""
    print(f"exact runs{where}: {len(rows) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main_guard(main)
