#!/usr/bin/python3
"""Newton's cost against L-BFGS and Adam, from bench/bench_scaling.cpp's Google Benchmark JSON
(`descent_bench --benchmark_filter=BM_Scaling --benchmark_out=FILE.json`):

- the growth exponents p of time per step (`step_s`), memory held (`state_bytes`) and time to
  solve (`solve_s`), fitted as log y = p log n + c by least squares over n >= --fit-from;
- the crossover: the dimension from which L-BFGS reaches the tolerance in less time than Newton
  (log-linear interpolation between the two measured n around the sign change);
- a figure of the three against n, and a Markdown table (--table), with the slope of the time
  per step between the two largest n as well (where the n³ term, if any, dominates).

  scaling.py results/bench/scaling.json results/bench/scaling-4000.json \
      --table results/tables/scaling.md --figure results/figures/scaling"""
import json
import math
import os
import re
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib as pl  # noqa: E402
from scriptlib import InputError, Parser, main_guard, write_text  # noqa: E402

plt = pl.plt
NAME = re.compile(r"^BM_Scaling(Step|Solve)/(\w+)/(\w+)/(\d+)(?:/min_time:[\d.]+)?(?:_(\w+))?$")


def load_all(paths):
    """Several runs' results together (the later file's wins for a benchmark in both)."""
    frames, context = [], {}
    for path in paths:
        df, ctx = load(path)
        frames.append(df)
        context = context or ctx
    df = pd.concat(frames, ignore_index=True)
    return df.drop_duplicates(["kind", "method", "problem", "n", "counter"], keep="last"), context


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise InputError(f"{path}: {e}")
    rows = []
    for b in data.get("benchmarks", []):
        m = NAME.match(b.get("name", ""))
        if not m or (m[5] and m[5] != "median") or b.get("error_occurred"):
            continue
        kind, method, problem, n = m[1].lower(), m[2], m[3], int(m[4])
        for counter in ("step_s", "state_bytes", "solve_s", "steps", "converged"):
            if counter in b:
                rows.append({"kind": kind, "method": method, "problem": problem, "n": n,
                             "counter": counter, "value": float(b[counter])})
    if not rows:
        raise InputError(f"{path}: no BM_ScalingStep or BM_ScalingSolve results")
    return pd.DataFrame(rows), data.get("context", {})


def this_cpu():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def series(df, method, problem, counter):
    d = df[(df.method == method) & (df.problem == problem) & (df.counter == counter)]
    return d.sort_values("n")[["n", "value"]].to_numpy().T


def exponent(n, y, fit_from):
    keep = (n >= fit_from) & (y > 0)
    if keep.sum() < 2:
        return math.nan
    return float(np.polyfit(np.log(n[keep]), np.log(y[keep]), 1)[0])


def crossover(df, problem):
    """The n from which lbfgs's solve_s is below newton's, or None (never, or from the start)."""
    n, newton = series(df, "newton", problem, "solve_s")
    n2, lbfgs = series(df, "lbfgs", problem, "solve_s")
    if len(n) == 0 or not np.array_equal(n, n2):
        return None, "—"
    r = np.log(lbfgs / newton)
    if r[0] < 0:
        return None, f"L-BFGS reaches the tolerance sooner at every n from {int(n[0])}"
    for i in range(1, len(n)):
        if r[i] < 0:
            t = r[i - 1] / (r[i - 1] - r[i])
            x = math.exp(math.log(n[i - 1]) + t * (math.log(n[i]) - math.log(n[i - 1])))
            return x, (f"L-BFGS reaches the tolerance sooner from n ≈ {x:.0f} (between "
                       f"{int(n[i - 1])} and {int(n[i])})")
    return None, f"Newton reaches the tolerance sooner at every n up to {int(n[-1])}"


def main():
    p = Parser(description=__doc__)
    p.add_argument("json", nargs="+", help="descent_bench --benchmark_out files")
    p.add_argument("--fit-from", type=int, default=200, help="fit over n >= this (default 200)")
    p.add_argument("--table", required=True, help="Markdown file to write")
    p.add_argument("--figure", required=True, help="figure stem (writes .png and .svg)")
    p.add_argument("--machine", default=this_cpu(),
                   help="the CPU that ran the benchmark (default: this one's, /proc/cpuinfo)")
    args = p.parse_args()
    df, context = load_all(args.json)
    problems = list(dict.fromkeys(df.problem))
    methods = list(dict.fromkeys(df.method))
    color = pl.colors(methods)
    counters = [("step_s", "seconds per step"), ("state_bytes", "bytes the optimizer holds"),
                ("solve_s", "seconds to ‖∇f‖ ≤ 1e-6 ‖∇f₀‖")]
    fig, axes = plt.subplots(len(problems), 3, figsize=(11, 3.2 * len(problems)), squeeze=False)
    rows, crossings = [], []
    for i, problem in enumerate(problems):
        for j, (counter, label) in enumerate(counters):
            ax = axes[i, j]
            for method in methods:
                n, y = series(df, method, problem, counter)
                if len(n) == 0:
                    continue
                # mallinfo2 does not see blocks of glibc's thread cache (≤ 1 KiB): a 0 is unseen.
                if counter == "state_bytes":
                    n, y = n[y > 0], y[y > 0]
                p_fit = exponent(n, y, args.fit_from)
                ax.plot(n, y, marker="o", ms=3, color=color[method],
                        label=f"{method} (slope {p_fit:.2f})")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(f"{problem}: {label}", fontsize=9)
            ax.set_xlabel("n (parameters)")
            ax.legend(loc="best", fontsize=7)
        for method in methods:
            row = {"problem": problem, "method": method}
            for counter, _ in counters:
                n, y = series(df, method, problem, counter)
                row[f"{counter} exponent"] = (f"{exponent(n, y, args.fit_from):.2f}"
                                              if len(n) else "—")
                if counter == "step_s" and len(n) >= 2:  # the slope over the last octave
                    row["step_s slope, last two n"] = f"{exponent(n[-2:], y[-2:], 0):.2f}"
                if len(n):
                    row[f"{counter} at the largest n"] = f"{pl.fmt_sig(y[-1])} (n = {int(n[-1])})"
            n, steps = series(df, method, problem, "steps")
            row["steps to solve"] = (", ".join(f"{int(s)}" for s in steps) if len(n) else "—")
            rows.append(row)
        crossings.append(f"- crossover, {problem}: {crossover(df, problem)[1]}")
    cpu = f"{args.machine}, {context.get('num_cpus', '?')} CPUs"
    fig.subplots_adjust(hspace=0.45, wspace=0.3)
    pl.caption(fig, f"bench/bench_scaling.cpp on {cpu}; slopes fitted over n ≥ {args.fit_from}")
    pl.save_figure(fig, args.figure)
    table = pd.DataFrame(rows).fillna("")
    n_all = sorted(df.n.unique())
    text = (f"scaling: bench/bench_scaling.cpp ({', '.join(map(os.path.basename, args.json))}, {cpu}, "
            f"{context.get('date', '')}), n = "
            f"{', '.join(str(int(v)) for v in n_all)}; exponents fitted over n ≥ {args.fit_from}; "
            "steps to solve listed for each n.\n\n"
            + table.to_markdown(index=False, disable_numparse=True) + "\n\n"
            + "\n".join(crossings) + "\n")
    write_text(args.table, text)
    print(args.table)


if __name__ == "__main__":
    main_guard(main)
