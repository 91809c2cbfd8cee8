#!/usr/bin/python3
"""Convergence curves of a sweep: for each problem one figure with, for each optimizer's best
configuration (best.csv), the median over seeds of y against x and a 25–75 % band. Each seed's
trace is interpolated onto a common x grid (log-spaced when x spans decades)."""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib as pl  # noqa: E402

plt = pl.plt
HUGE = 1e300  # a diverged seed's value after it stopped: keeps the median honest


def curves(by_run, runs, x, y, log_y, xscale):
    """Per (optimizer, label): (grid, median, q25, q75, seeds) of y against x."""
    xs = [t[x].to_numpy() for t in by_run.values()]
    grid, log_x = pl.x_grid(xs, log={"auto": None, "log": True, "linear": False}[xscale])
    out = {}
    for (optimizer, label), group in runs.groupby(["optimizer", "label"], sort=False):
        rows = []
        for run in group.itertuples():
            if run.run_id not in by_run:
                continue
            t = by_run[run.run_id]
            tx, ty = t[x].to_numpy(float), t[y].to_numpy(float)
            keep = np.isfinite(tx) & (tx > 0 if log_x else True)
            tx, ty = tx[keep], ty[keep]
            if len(tx) == 0:
                continue
            diverged = run.status == "diverged"
            if log_y:  # non-finite or huge loss after divergence: clip, log needs positives
                ty = np.where(np.isfinite(ty), ty, HUGE)
                ty = np.clip(ty, 1e-300, HUGE)
            rows.append(pl.interpolate(tx, ty, grid, log_x, log_y,
                                       after=HUGE if diverged and log_y else np.nan))
        if rows:
            out[optimizer, label] = (grid,) + pl.quartiles(np.array(rows)) + (len(rows),)
    return out, log_x


def judged_loss(cols):
    """The loss that judges a run: at the optimizer's evaluation point (older sweeps: loss)."""
    return "eval_loss" if "eval_loss" in cols.y_axes else "loss"


def plot_problem(problem, traces, runs, args, target, name, colors, cols):
    traces = traces[traces.run_id.isin(runs.run_id)]
    if traces.empty:
        print(f"plot_convergence: {problem}: no trace points in traces.csv; skipped",
              file=sys.stderr)
        return
    has = traces[args.y].notna().any()
    y = args.y
    if not has and cols.needs[y] == "optimum":  # f* unknown: the loss is the best we have
        y = judged_loss(cols)
        print(f"plot_convergence: {problem}: no gap (f* unknown); plotting {y}", file=sys.stderr)
    elif not has:
        print(f"plot_convergence: {problem}: no {y} in traces.csv; skipped", file=sys.stderr)
        return
    log_y = y in cols.log_y and pl.log_scale_fits(traces[y])
    by_run = dict(tuple(traces.groupby("run_id")))
    data, log_x = curves(by_run, runs, args.x, y, log_y, args.xscale)

    fig, ax = plt.subplots(figsize=(5, 3.4))
    for (optimizer, label), (grid, med, q25, q75, n) in data.items():
        c = colors[optimizer]
        ax.plot(grid, med, color=c, lw=1.6, label=label)
        ax.fill_between(grid, q25, q75, color=c, alpha=0.2, lw=0)
    if target and target[0] == y:
        ax.axhline(target[1], color="0.4", ls="--", lw=0.8,
                   label=f"target: {y} = {pl.fmt_sig(target[1])}")
    elif target and target[0] == "rel_gap" and y == "gap":  # relative to each run's start
        start = traces[traces.iter == 0].gap.median()
        ax.axhline(target[1] * start, color="0.4", ls="--", lw=0.8,
                   label=f"target: {pl.fmt_sig(target[1])} × start gap")
    if log_x:
        ax.set_xscale("log")
        pl.log_ticks(ax.xaxis)
    if log_y:
        ax.set_yscale("log")
        meds = np.concatenate([d[1] for d in data.values()])
        meds = meds[np.isfinite(meds) & (meds < HUGE) & (meds > 1e-300)]
        if len(meds):
            # A diverged median would stretch the axis to 1e300, and gaps of 1e-90 (exact
            # arithmetic on a quadratic) to below anything meaningful: show 16 decades at most.
            lo, hi = max(meds.min(), meds.max() * 1e-16), meds.max()
            pad = (hi / lo) ** 0.05 if hi > lo else 2.0  # 5 % of the plotted decades
            ax.set_ylim(lo / pad, hi * pad)
            pl.log_ticks(ax.yaxis)
    ax.set_xlabel(cols.labels[args.x])
    ax.set_ylabel(cols.labels[y])
    seeds = sorted({d[4] for d in data.values()})
    ax.set_title(pl.problem_title(problem), loc="left")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    pl.caption(fig, f"{name}: median over {'/'.join(map(str, seeds))} seeds, band 25–75 %; "
               "each optimizer at its best configuration (legend: tuned values).")
    stem = os.path.join(args.out, f"{name}_{pl.slug(problem)}_{y}_vs_{args.x}")
    pl.save_figure(fig, stem)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dir", help="sweep output directory (best.csv, runs.csv, traces.csv)")
    ap.add_argument("--x", default="iter", help="a progress column of traces.csv: a unit the "
                    "target's reach is counted in (the sweep's meta.json lists them)")
    ap.add_argument("--y", default="gap", help="a value column of traces.csv: one best.csv "
                    "summarizes; gap falls back to loss for problems without a known f*")
    ap.add_argument("--xscale", default="auto", choices=["auto", "linear", "log"],
                    help="auto: log when x spans more than two decades")
    ap.add_argument("--out", help="figure folder (default: DIR/../figures)")
    args = ap.parse_args()
    args.out = args.out or pl.default_out(args.dir, "figures")

    cols = pl.columns(args.dir)
    pl.check_name(args.x, cols.x_axes, "--x", args.dir)
    pl.check_name(args.y, cols.y_axes, "--y", args.dir)
    best, _ = pl.load_best(args.dir, cols)
    chosen, _ = pl.best_runs(args.dir, best, cols)
    path = os.path.join(args.dir, "traces.csv")
    columns = list(dict.fromkeys(["run_id", "iter", args.x, args.y]
                                 + ([judged_loss(cols)] if cols.needs[args.y] == "optimum" else [])))
    traces = pl.read_csv(path, columns)[columns]
    for c in columns[1:]:
        traces[c] = pl.numeric(traces, c, path)
    traces = traces[traces.run_id.isin(chosen.run_id)]
    name, target = pl.experiment_name(args.dir), pl.experiment_target(args.dir)
    colors = pl.colors(best["optimizer"])
    for problem in dict.fromkeys(best["problem"]):
        plot_problem(problem, traces, chosen[chosen.problem == problem], args, target, name,
                     colors, cols)


if __name__ == "__main__":
    pl.main_guard(main)
