#!/usr/bin/python3
"""What tuning buys (budget.csv, a random-search sweep): the expected best tune metric when only
k of the random configurations are tried (Dodge et al. 2019, expected validation performance),
against k on a log2 axis, median across seeds with the 25–75 % band, one line per optimizer, one
panel per problem. k = 0, the default hyperparameters alone (search.defaults), is drawn apart at
the left. Triangles at the top mark k at which the median is ∞ (the k tried may all miss the
target)."""
import argparse
import math
import os
import sys

import numpy as np
from matplotlib.lines import Line2D

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib as pl  # noqa: E402

plt = pl.plt

DEFAULT_X = -1.5  # where k = 0 is drawn: left of k = 1 (x = log2 1 = 0), apart


def panel(ax, problem, budget, optimizers, colors, metric, cols):
    """One problem's curves; returns the legend entries it drew."""
    here = budget[budget.problem == problem]
    maximize = metric in cols.maximized
    finite = here[["median", "q25", "q75"]].to_numpy().ravel()
    finite = finite[np.isfinite(finite)]
    positive = finite[finite > 0]
    # A loss spanning decades: a log axis, a value of exactly 0 drawn at its bottom (marked).
    log = (not maximize and pl.log_scale_fits(finite)
           and positive.max() / positive.min() > 10)
    floor = positive.min() if log else -np.inf
    handles, infinite = {}, []
    for optimizer in optimizers:
        rows = here[here.optimizer == optimizer].sort_values("k")
        if rows.empty:
            continue
        c = colors[optimizer]
        curve = rows[rows.k > 0]
        x = np.log2(curve.k.to_numpy(float))
        med = curve["median"].to_numpy()
        shown = np.where(np.isfinite(med), np.maximum(med, floor), np.nan)
        handles[optimizer] = ax.plot(x, shown, "o-", color=c, ms=3.5, lw=1.3)[0]
        below = np.isfinite(med) & (med < floor)
        if below.any():
            ax.plot(x[below], shown[below], "v", color=c, ms=7, mec="black", mew=0.5)
            handles["0 (below the axis)"] = Line2D([], [], color="0.3", marker="v", ls="", ms=7)
        lo, hi = curve["q25"].to_numpy(), curve["q75"].to_numpy()
        top = finite.max() if len(finite) else 1.0
        # A band where the median is finite; a quartile at ±∞ is clipped at the extreme finite
        # value drawn (and a 0 at the bottom of a log axis).
        bottom = max(finite.min(), floor) if len(finite) else 0.0
        drawn = np.isfinite(med)
        band_lo = np.where(drawn, np.clip(lo, bottom, top), np.nan)
        band_hi = np.where(drawn, np.clip(hi, bottom, top), np.nan)
        ax.fill_between(x, band_lo, band_hi, color=c, alpha=0.18, lw=0)
        alone = drawn & ~np.concatenate([[False], drawn[:-1]]) & \
            ~np.concatenate([drawn[1:], [False]])  # no band to either side: a bar
        if alone.any():
            ax.errorbar(x[alone], shown[alone], yerr=[shown[alone] - band_lo[alone],
                                                      band_hi[alone] - shown[alone]],
                        fmt="none", ecolor=c, alpha=0.5, capsize=2.5, lw=1.1)
        off = list(x[np.isinf(med)])
        default = rows[rows.k == 0]
        if len(default) and np.isfinite(default["median"].iloc[0]):
            d = default.iloc[0]
            median = max(d["median"], bottom)
            q25, q75 = np.clip([d["q25"], d["q75"]], bottom, top)
            err = [[max(median - q25, 0)], [max(q75 - median, 0)]]
            ax.errorbar([DEFAULT_X], [median], yerr=err, fmt="D", color=c, ms=5,
                        capsize=2.5, lw=1.1)
        elif len(default) and np.isinf(default["median"].iloc[0]):
            off.insert(0, DEFAULT_X)
        if off:
            infinite.append((optimizer, np.array(off)))
    ks = sorted(set(here.k))
    ticks = [DEFAULT_X if k == 0 else math.log2(k) for k in ks]
    ax.set_xticks(ticks, ["default" if k == 0 else str(k) for k in ks])
    if 0 in ks:
        ax.axvline((DEFAULT_X + 0) / 2, color="0.6", lw=0.8, ls=":")
    if log:
        ax.set_yscale("log")
        ax.set_ylim(bottom=floor / 3)
        pl.log_ticks(ax.yaxis)
    if infinite:  # along the top, one row per optimizer
        pl.headroom(ax, 0.05 * len(infinite) + 0.03)
        handles["∞ (the k tried may all miss)"] = Line2D([], [], color="0.3", marker="^", ls="",
                                                          ms=5)
    for j, (optimizer, xs) in enumerate(infinite):
        ax.plot(xs, np.full(len(xs), 0.97 - 0.05 * j), "^", color=colors[optimizer], ms=5,
                transform=ax.get_xaxis_transform(), clip_on=False)
    ax.set_title(pl.problem_title(problem), loc="left")
    ax.set_xlabel("configurations tried, k (log₂)")
    label = cols.labels.get(metric, metric)
    ax.set_ylabel(f"expected best {label}")
    return handles


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dir", help="sweep output directory (budget.csv: a random-search sweep)")
    ap.add_argument("--out", help="figure folder (default: DIR/../figures); the figure is "
                    "<DIR name>_budget.png and .svg")
    args = ap.parse_args()
    out = args.out or pl.default_out(args.dir, "figures")

    cols = pl.columns(args.dir)
    budget, path = pl.load_budget(args.dir, cols)
    if budget.empty:
        raise pl.InputError(f"{path}: no rows")
    metric = budget["metric"].iloc[0]
    problems = list(dict.fromkeys(budget["problem"]))
    optimizers = list(dict.fromkeys(budget["optimizer"]))
    colors = pl.colors(optimizers)
    name = pl.experiment_name(args.dir)

    ncols = min(len(problems), 3)
    nrows = math.ceil(len(problems) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 3.0 * nrows), squeeze=False)
    found = {}
    for ax, problem in zip(axes.flat, problems):
        found.update(panel(ax, problem, budget, optimizers, colors, metric, cols))
    for ax in axes.flat[len(problems):]:
        ax.set_visible(False)
    handles = {o: found[o] for o in optimizers if o in found}
    if (budget.k == 0).any():
        handles["default hyperparameters"] = Line2D([], [], color="0.3", marker="D", ls="", ms=5)
    handles.update({k: v for k, v in found.items() if k not in handles})
    fig.tight_layout()
    fig.legend(handles.values(), handles.keys(), loc="center left", frameon=False,
               bbox_to_anchor=(1.0, 0.5))
    failed = ("an unreached target counts as ∞" if metric in cols.to_target
              else "a failed run counts as its start point")
    pl.caption(fig, f"{name}: expected best {metric} of k random configurations (Dodge et al. "
               f"2019), median over seeds, 25–75 % shaded; {failed}.")
    pl.save_figure(fig, os.path.join(out, f"{name}_budget"))


if __name__ == "__main__":
    pl.main_guard(main)
