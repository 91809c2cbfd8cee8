#!/usr/bin/python3
"""Optimizers racing over the contour lines of a 2-D test function: each trace's iterates
(x0, x1 columns of `descent run --trace FILE --trace-x`) drawn over log-spaced level sets, with
a marker at the start (circle) and the end (cross); the minimizers are stars."""
import argparse
import os
import sys

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import LogLocator

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib as pl  # noqa: E402

plt = pl.plt


# The same definitions as the C++ problems (problems/<name>.hpp), vectorized over grids.
def rosenbrock(x, y):
    return 100 * (y - x**2) ** 2 + (1 - x) ** 2


def beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def saddle(x, y):
    return x**2 / 2 + y**4 / 4 - y**2 / 2


# function, f*, minimizers, saddle points, the usual window (x range, y range) as a bound
PROBLEMS = {
    "rosenbrock": (rosenbrock, 0.0, [(1, 1)], [], ((-2, 2), (-1, 3))),
    "beale": (beale, 0.0, [(3, 0.5)], [], ((-4.5, 4.5), (-4.5, 4.5))),
    "saddle": (saddle, -0.25, [(0, -1), (0, 1)], [(0, 0)], ((-2, 2), (-2, 2))),
}


def window(default, paths, points):
    """The paths and the minimizers, with a margin; never more than three times the problem's
    usual window, so that a diverging run does not shrink the interesting part to a dot."""
    out = []
    for axis, (lo, hi) in enumerate(default):
        mid, half = (lo + hi) / 2, (hi - lo) / 2
        v = np.concatenate([p[:, axis] for p in paths] + [[m[axis] for m in points]])
        v = v[np.isfinite(v) & (np.abs(v - mid) < 3 * half)]
        pad = max(0.15 * (v.max() - v.min()), 0.1 * half)
        out.append((v.min() - pad, v.max() + pad))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("traces", nargs="+", metavar="TRACE.csv",
                    help="traces written with descent run --trace FILE --trace-x")
    ap.add_argument("--problem", required=True, choices=sorted(PROBLEMS))
    ap.add_argument("--labels", nargs="+", help="legend entries (default: the file names)")
    ap.add_argument("--out", help="output file; .png and .svg are written "
                    "(default: trajectories_<problem> beside the first trace)")
    ap.add_argument("--window", type=float, nargs=4, metavar=("XMIN", "XMAX", "YMIN", "YMAX"),
                    help="plotted region (default: the paths and the minimizers)")
    args = ap.parse_args()
    if args.labels and len(args.labels) != len(args.traces):
        pl.fail(f"{len(args.labels)} labels for {len(args.traces)} traces")
    labels = args.labels or [os.path.splitext(os.path.basename(t))[0] for t in args.traces]

    paths = []
    for path in args.traces:
        t = pl.read_csv(path, ["iter", "x0", "x1"])
        if "x2" in t.columns:
            raise pl.InputError(f"{path}: 3-D iterates (column 'x2'); the plot is for 2-D problems")
        paths.append(np.column_stack([pl.numeric(t, "x0", path), pl.numeric(t, "x1", path)]))

    f, fstar, minima, saddles, default = PROBLEMS[args.problem]
    if args.window:
        x_lo, x_hi, y_lo, y_hi = args.window
    else:
        (x_lo, x_hi), (y_lo, y_hi) = window(default, paths, minima + saddles)
    gx, gy = np.meshgrid(np.linspace(x_lo, x_hi, 300), np.linspace(y_lo, y_hi, 300))
    # f − f* + a little: positive everywhere, so the levels can be log-spaced (they crowd
    # near the minimizer, where the interesting part of the race is).
    z = f(gx, gy) - fstar
    floor = max(np.quantile(z, 0.001), 1e-3)
    levels = np.geomspace(floor, z.max(), 25)

    fig, ax = plt.subplots(figsize=(5.5, 4.4))
    norm = LogNorm(levels[0], levels[-1])
    filled = ax.contourf(gx, gy, np.clip(z, levels[0], None), levels=levels, norm=norm,
                         cmap="Blues_r", alpha=0.45)
    for c in filled.collections:  # the shading as an image in the SVG: megabytes otherwise
        c.set_rasterized(True)
    ax.contour(gx, gy, z, levels=levels, colors="0.45", linewidths=0.4)
    cbar = fig.colorbar(filled, ax=ax, pad=0.02, ticks=LogLocator())
    cbar.set_label("f(x) − f*")
    colors = pl.colors(labels)
    for label, p in zip(labels, paths):
        c = colors[label]
        # Dots show the step lengths; past ~150 steps they only thicken the line.
        ax.plot(p[:, 0], p[:, 1], color=c, lw=1.2, marker="." if len(p) <= 150 else None, ms=2.5,
                label=label)
        ax.plot(*p[0], "o", color=c, mfc="white", ms=6, mew=1.5)
        ax.plot(*p[-1], "X", color=c, ms=8, mec="black", mew=0.5, zorder=6)
    for m in minima:  # under the end markers, so a run that got there shows
        ax.plot(*m, "*", color="gold", mec="black", ms=16, mew=0.6, zorder=5)
    for m in saddles:
        ax.plot(*m, "P", color="white", mec="black", ms=9, mew=0.8, zorder=5)
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_xlabel("x₀")
    ax.set_ylabel("x₁")
    ax.grid(False)
    ax.set_title(f"{args.problem}: ○ start, ✕ end, ★ minimizer"
                 + (", ✚ saddle point" if saddles else ""), loc="left")
    ax.legend(frameon=True, framealpha=0.9, loc="upper left", bbox_to_anchor=(0, -0.12),
              ncol=min(len(labels), 3), borderaxespad=0)
    stem = os.path.splitext(args.out)[0] if args.out else os.path.join(
        os.path.dirname(os.path.abspath(args.traces[0])), f"trajectories_{args.problem}")
    pl.save_figure(fig, stem)


if __name__ == "__main__":
    pl.main_guard(main)
