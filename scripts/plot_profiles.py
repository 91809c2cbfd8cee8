#!/usr/bin/python3
"""Performance profiles (Dolan & Moré 2002) and data profiles (Moré & Wild 2009) of a sweep:
each optimizer at its best configuration (best.csv), every problem × seed one instance, the cost
of an instance the metric from runs.csv (iterations, gradient evaluations or seconds to reach the
experiment's target; never reached = ∞)."""
import argparse
import os
import re
import sys

import numpy as np
from matplotlib.ticker import FormatStrFormatter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib as pl  # noqa: E402

plt = pl.plt


def cost_table(chosen, metric):
    """Instances (problem, rep) × optimizers → cost, ∞ where not reached or not run."""
    table = chosen.pivot_table(index=["problem", "rep"], columns="optimizer", values=metric,
                               aggfunc="first", dropna=False, sort=False)
    order = list(dict.fromkeys(chosen["optimizer"]))
    return table.reindex(columns=order).fillna(np.inf)


def dimension(problem):
    """The dimension when the spec states it (dim=N); None otherwise."""
    m = re.search(r"[:,]dim=(\d+)", problem)
    return int(m[1]) if m else None


def step(ax, x, fraction, color, label):
    """A profile: the fraction of instances with value ≤ x, as a step function."""
    ax.step(x, fraction, where="post", color=color, lw=1.6, label=label)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dir", help="sweep output directory (best.csv, runs.csv)")
    ap.add_argument("--metric", help="cost of an instance: a to-target metric (meta.json "
                    "lists them; default: the tune metric when it is one, else evals_to_target)")
    ap.add_argument("--out", help="figure folder (default: DIR/../figures)")
    args = ap.parse_args()
    out = args.out or pl.default_out(args.dir, "figures")

    cols = pl.columns(args.dir)
    if args.metric is not None:
        pl.check_name(args.metric, cols.to_target, "--metric", args.dir)
    best, _ = pl.load_best(args.dir, cols, ["tune_metric"])
    metric = args.metric or next((m for m in best["tune_metric"] if m in cols.to_target),
                                 "evals_to_target")
    chosen, _ = pl.best_runs(args.dir, best, cols, [metric])
    chosen[metric] = pl.numeric(chosen, metric, os.path.join(args.dir, "runs.csv"))
    t = cost_table(chosen, metric)
    if t.empty:
        raise pl.InputError(f"{args.dir}/runs.csv: no runs of the configurations in best.csv")
    if not np.isfinite(t.to_numpy()).any():
        print(f"plot_profiles: no optimizer reached the target on any instance "
              f"(empty {metric})", file=sys.stderr)
    costs = t.to_numpy()
    n_inst = len(t)
    colors = pl.colors(t.columns)

    fig, (pa, da) = plt.subplots(1, 2, figsize=(8, 3.3))
    # Performance profile: ratio to the fastest optimizer on each instance.
    fastest = costs.min(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(np.isfinite(costs), costs / np.where(fastest > 0, fastest, 1), np.inf)
    ratio[np.isfinite(costs) & (fastest == 0)] = 1.0  # both at 0: a tie
    finite = ratio[np.isfinite(ratio)]
    tau_max = max(2.0, finite.max() * 1.5) if len(finite) else 2.0
    for j, opt in enumerate(t.columns):
        r = np.sort(ratio[:, j])
        x = np.concatenate([[1.0], r[np.isfinite(r)], [tau_max]])
        y = np.concatenate([[np.mean(r <= 1.0)], np.arange(1, np.isfinite(r).sum() + 1) / n_inst,
                            [np.isfinite(r).mean()]])
        step(pa, x, y, colors[opt], opt)
    pa.set_xscale("log", base=2)  # ticks 1, 2, 4, 8: factors read directly
    pa.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    pa.set_xlim(1, tau_max)
    pa.set_xlabel(f"τ: within a factor τ of the fastest ({cols.labels[metric]})")
    pa.set_ylabel("fraction of instances solved")
    pa.set_title("performance profile", loc="left")

    # Data profile: solved within a budget; for steps and evaluations in simplex gradients
    # (budget / (dim + 1), Moré & Wild) when every problem's spec states its dimension.
    counts = metric in cols.integer
    dims = [dimension(p) for p, _ in t.index]
    scaled = counts and all(d is not None for d in dims)
    budget = costs / (np.array(dims, float)[:, None] + 1) if scaled else costs
    finite = budget[np.isfinite(budget)]
    lo = finite.min() if len(finite) else 1.0
    hi = finite.max() * 1.5 if len(finite) else 2.0
    for j, opt in enumerate(t.columns):
        b = np.sort(budget[:, j])
        b = b[np.isfinite(b)]
        step(da, np.concatenate([[lo / 1.5], b, [hi]]),
             np.concatenate([[0], np.arange(1, len(b) + 1) / n_inst, [len(b) / n_inst]]),
             colors[opt], opt)
    da.set_xscale("log" if hi / max(lo, 1e-300) > 20 and lo > 0 else "linear")
    da.set_xlim(lo / 1.5, hi)
    unit = cols.labels[metric]
    da.set_xlabel(f"budget: {unit} / (dim + 1)" if scaled
                  else f"budget: {unit}\n(not ÷ (dim + 1): a problem's dim is unknown)" if counts
                  else f"budget: {unit}")
    da.set_title("data profile", loc="left")
    for ax in (pa, da):
        ax.set_ylim(-0.02, 1.02)
    problems = len(set(p for p, _ in t.index))
    fig.legend(*pa.get_legend_handles_labels(), loc="upper center", frameon=False,
               ncol=min(len(t.columns), 6), bbox_to_anchor=(0.5, 1.0))
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    name = pl.experiment_name(args.dir)
    pl.caption(fig, f"{name}: {n_inst} instances ({problems} problems × seeds), best "
               "configurations. Higher is better; at τ = 1: share won, at the right: share "
               "solved.")
    pl.save_figure(fig, os.path.join(out, f"{name}_profiles_{metric}"))


if __name__ == "__main__":
    pl.main_guard(main)
