#!/usr/bin/python3
"""Learning-rate sensitivity of a sweep: the final optimality gap (final loss where f* is
unknown) against the learning rate, median across seeds, one line per optimizer, one panel per
problem. The other hyperparameters are held at each optimizer's best configuration (best.csv).
Crosses at the top mark learning rates at which some seed diverged."""
import argparse
import math
import os
import sys

import numpy as np
from matplotlib.lines import Line2D

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib as pl  # noqa: E402

plt = pl.plt


def lr_slice(runs, best_rows, cols):
    """Runs that differ from the best configuration in hp_lr only: the same configuration
    columns but config (which holds the learning rate too) and the same other hp_* values."""
    fixed = [c for c in cols.configuration if c != "config"]
    hp = [c for c in cols.hyperparameters(runs) if c != "hp_lr"]
    ref = best_rows.iloc[0]
    same = np.ones(len(runs), bool)
    for c in fixed + hp:
        a, b = runs[c], ref[c]
        same &= (a.isna() & (b != b)) if b != b else (a == b).to_numpy()  # NaN equals NaN
    return runs[same]


def panel(ax, problem, runs, chosen, optimizers, colors, target, cols):
    """One problem's curves; returns the legend entries it drew."""
    here = runs[runs.problem == problem]
    y = "final_gap" if here["final_gap"].notna().any() else "final_loss"
    curves, crosses, rings = {}, [], {}
    for optimizer in optimizers:
        rows = chosen[(chosen.problem == problem) & (chosen.optimizer == optimizer)]
        sl = lr_slice(here, rows, cols).dropna(subset=["hp_lr"]) if len(rows) else rows
        if sl.empty:
            continue
        # A diverged or failed seed's final value is meaningless: it counts as +∞, so the
        # median is finite only where at least half the seeds finished.
        stats = sl[y].where(sl.status == "ok", np.inf).groupby(sl.hp_lr).median()
        curves[optimizer] = stats[np.isfinite(stats)]
        div = sl[sl.status != "ok"].hp_lr.unique()
        if len(div):
            crosses.append((optimizer, div))
        rings[optimizer] = rows.hp_lr.iloc[0]
    values = np.concatenate([c.to_numpy() for c in curves.values()] + [[]])
    log = pl.log_scale_fits(values)
    floor = -np.inf
    if log:  # exact arithmetic reaches gaps of 1e-230, or 0: show 20 decades, mark the rest
        values = values[values > 0]
        floor = max(values.min(), values.max() * 1e-20)
    handles = {}
    for optimizer, v in curves.items():
        c, shown = colors[optimizer], np.maximum(v.to_numpy(), floor)
        handles[optimizer] = ax.plot(v.index, shown, "o-", color=c, ms=3.5, lw=1.3)[0]
        below = v.to_numpy() < floor
        if below.any():
            ax.plot(v.index[below], shown[below], "v", color=c, ms=7, mec="black", mew=0.5)
            handles["below the axis"] = Line2D([], [], color="0.3", marker="v", ls="", ms=7)
        if rings[optimizer] in v.index:  # the tuned choice, ringed
            ax.plot(rings[optimizer], max(v[rings[optimizer]], floor), "o", ms=8, mfc="none",
                    mec=c, mew=1.2)
    if target and target[0] == y.removeprefix("final_"):
        handles[f"target {pl.fmt_sig(target[1])}"] = ax.axhline(target[1], color="0.4",
                                                               ls="--", lw=0.8)
    ax.set_xscale("log")
    if log:
        ax.set_yscale("log")
        ax.set_ylim(bottom=floor / 3)
        pl.log_ticks(ax.yaxis)
    # Crosses along the top (their values are off-scale), above the data, one row per
    # optimizer so that crosses at the same rate do not hide each other.
    if crosses:
        pl.headroom(ax, 0.05 * len(crosses) + 0.03)
        handles["diverged (some seed)"] = Line2D([], [], color="0.3", marker="x", ls="", mew=1.5)
    for k, (optimizer, div) in enumerate(crosses):
        ax.plot(div, np.full(len(div), 0.97 - 0.05 * k), "x", color=colors[optimizer], ms=5,
                mew=1.5, transform=ax.get_xaxis_transform())
    ax.set_title(pl.problem_title(problem), loc="left")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("final gap f(x) − f*" if y == "final_gap" else "final loss f(x)")
    return handles


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dir", help="sweep output directory (best.csv, runs.csv)")
    ap.add_argument("--out", help="figure folder (default: DIR/../figures)")
    args = ap.parse_args()
    out = args.out or pl.default_out(args.dir, "figures")

    cols = pl.columns(args.dir)
    best, _ = pl.load_best(args.dir, cols)
    chosen, runs = pl.best_runs(args.dir, best, cols, ["hp_lr", "final_loss", "final_gap"])
    path = os.path.join(args.dir, "runs.csv")
    for c in ("hp_lr", "final_loss", "final_gap"):
        runs[c] = pl.numeric(runs, c, path)
        chosen[c] = pl.numeric(chosen, c, path)
    problems = list(dict.fromkeys(best["problem"]))
    optimizers = list(dict.fromkeys(best["optimizer"]))
    colors = pl.colors(optimizers)
    name, target = pl.experiment_name(args.dir), pl.experiment_target(args.dir)

    ncols = min(len(problems), 3)
    nrows = math.ceil(len(problems) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 3.0 * nrows), squeeze=False)
    found = {}
    for ax, problem in zip(axes.flat, problems):
        found.update(panel(ax, problem, runs, chosen, optimizers, colors, target, cols))
    for ax in axes.flat[len(problems):]:
        ax.set_visible(False)
    # Legend: optimizers in their order, then the marker meanings.
    handles = {o: found[o] for o in optimizers if o in found}
    handles["best configuration"] = Line2D([], [], color="0.3", marker="o", ls="", mfc="none",
                                           ms=8)
    handles.update({k: v for k, v in found.items() if k not in handles})
    fig.tight_layout()
    fig.legend(handles.values(), handles.keys(), loc="center left", frameon=False,
               bbox_to_anchor=(1.0, 0.5))
    pl.caption(fig, f"{name}: median over seeds of the final value at each learning rate, other "
               "hyperparameters at the best configuration; a diverged seed counts as +∞.")
    pl.save_figure(fig, os.path.join(out, f"{name}_sensitivity_lr"))


if __name__ == "__main__":
    pl.main_guard(main)
