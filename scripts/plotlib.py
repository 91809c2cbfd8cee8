#!/usr/bin/python3
"""Shared helpers of the table and plot scripts: reading a sweep's column facts (meta.json) and
CSV files with clear errors, picking each optimizer's best configuration, median/quartile
bands, and atomic output."""
import json
import math
import os
import re
import sys
import tempfile
import tomllib
import warnings

import numpy as np
import pandas as pd

import matplotlib

matplotlib.use("Agg")  # headless: no display on CI or build machines
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import (FixedLocator, FuncFormatter, LogLocator,  # noqa: E402
                               NullLocator)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scriptlib import InputError, commit_file, fail, main_guard, write_text  # noqa: E402,F401

# Reproducible SVG output (no random ids, no date), so regenerated figures diff cleanly.
plt.rcParams.update({
    "svg.hashsalt": "descent",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
})

class Columns:
    """The facts of a sweep's columns, as the C++ side declares them (meta.json's "columns"):
    the scripts keep no list of column names of their own, so a new metric needs no Python."""

    def __init__(self, facts):
        runs, traces = facts["runs"], facts["traces"]
        self.stats = list(facts["summary_stats"])  # best.csv has <metric>_<stat> for each
        self.configuration = [c["name"] for c in runs if c["configuration"]]
        self.metrics = [c["name"] for c in runs if c["summarized"]]
        self.to_target = [c["name"] for c in runs if c["to_target"]]
        self.integer = {c["name"] for c in runs if c["integer"]}
        self.maximized = {c["name"] for c in runs if c["better"] == "higher"}
        self.timing = {c["name"] for c in runs + traces if c["timing"]}
        self.labels = {c["name"]: c["label"] for c in runs + traces if c["label"]}
        # A trace column is a progress measure (an x axis) or a value measured there (a y axis,
        # log-scaled when lower is better: losses and gaps fall over decades).
        self.x_axes = [t["name"] for t in traces if t["axis"] == "progress"]
        self.y_axes = [t["name"] for t in traces if t["axis"] == "value"]
        self.log_y = {t["name"] for t in traces if t["axis"] == "value" and t["better"] == "lower"}
        self.needs = {t["name"]: t["needs"] for t in traces}
        self.budget = [c["name"] for c in facts.get("budget", [])]  # budget.csv's columns
        self.random_search = False  # whether the sweep has budget.csv (meta.json's "budget")
        # "hp_<key>" stands for one column per optimizer key: hp_lr, hp_momentum, ...
        hp = [c["name"] for c in runs if c["role"] == "hyperparameters"]
        self.hp_prefix = hp[0].partition("<")[0]

    def hyperparameters(self, df):
        """The hp_<key> columns of a runs table."""
        return [c for c in df.columns if c.startswith(self.hp_prefix)]


def columns(directory):
    """The column facts of the sweep in `directory`, from its meta.json: the sweep says which
    columns it wrote and what they mean, so the scripts need no list of their own."""
    path = os.path.join(directory, "meta.json")
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
    except OSError as e:
        raise InputError(f"{path}: {e.strerror}")
    except ValueError as e:  # not JSON, or not UTF-8
        raise InputError(f"{path}: not JSON ({e})")
    facts = meta.get("columns") if isinstance(meta, dict) else None
    if not isinstance(facts, dict):
        raise InputError(f"{path}: no \"columns\" (the column facts descent sweep writes): "
                         "a sweep of an older descent? run it again")
    try:
        cols = Columns(facts)
    except (KeyError, TypeError, IndexError) as e:
        raise InputError(f"{path}: malformed \"columns\" ({type(e).__name__}: {e})")
    cols.random_search = isinstance(meta.get("budget"), dict)
    return cols


def check_name(name, valid, what, directory):
    """An option naming a column must name one the sweep has (its meta.json's facts)."""
    if name not in valid:
        raise InputError(f"{what} '{name}': not one of {', '.join(valid)} "
                         f"(as {os.path.join(directory, 'meta.json')} declares them)")
    return name


def read_csv(path, columns=(), text=()):
    """Reads a CSV, checking that it exists and has `columns`. The `text` columns (those naming
    a configuration) stay text so that best.csv and runs.csv compare equal however pandas would
    guess their types."""
    path = str(path)
    if not os.path.isfile(path):
        raise InputError(f"{path}: no such file")
    try:
        df = pd.read_csv(path, dtype={k: str for k in text}, keep_default_na=False,
                         na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not a CSV file ({str(e).strip()})")
    for c in columns:
        if c not in df.columns:
            raise InputError(f"{path}: missing column '{c}'")
    return df


def numeric(df, column, path=""):
    """A column as floats; 'inf'/'-inf' parse, empty cells become NaN."""
    values = pd.to_numeric(df[column], errors="coerce")
    bad = values.isna() & df[column].notna()
    if bad.any():
        raise InputError(f"{path}: column '{column}' has a non-number: {df[column][bad].iloc[0]!r}")
    return values.astype(float)


def experiment_name(directory):
    return os.path.basename(os.path.normpath(directory))


def experiment_target(directory):
    """(kind, value) of the experiment's target from DIR/experiment.toml, or None."""
    try:
        with open(os.path.join(directory, "experiment.toml"), "rb") as f:
            target = tomllib.load(f).get("target", {})
        kind, value = next(iter(target.items()))
        return kind, float(value)
    except (OSError, tomllib.TOMLDecodeError, StopIteration, TypeError, ValueError):
        return None


def default_out(directory, sub):
    """results/<name>/ → results/<sub>/: outputs sit beside the sweep directories."""
    return os.path.join(os.path.dirname(os.path.abspath(os.path.normpath(directory))), sub)


def slug(text):
    """quadratic:dim=20,cond=100 → quadratic-dim20-cond100 (safe in file names)."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", text.replace("=", "")).strip("-")


def problem_title(spec):
    """quadratic:dim=20,cond=100 → 'quadratic' over 'dim=20, cond=100': panel titles stay
    narrower than their panel."""
    name, _, keys = spec.partition(":")
    return f"{name}\n{keys.replace(',', ', ')}" if keys else name


def load_best(directory, cols, columns=()):
    path = os.path.join(directory, "best.csv")
    keys = cols.configuration
    return read_csv(path, keys + list(columns), keys), path


def load_budget(directory, cols):
    """budget.csv (the tuning-budget curves of a random-search sweep), k and the statistics as
    numbers; without it, an error saying why there is none and what to change."""
    path = os.path.join(directory, "budget.csv")
    if not os.path.isfile(path):
        if cols.random_search:
            raise InputError(f"{path}: no such file (a shard's folder? `descent merge` the "
                             "shards; or a sweep of an older descent: run it again)")
        raise InputError(f"{path}: no such file: the experiment used grid search; tuning-budget "
                         "curves need random search: set search = { method = \"random\", "
                         "samples = N } (and defaults = true for k = 0) and run it again")
    budget = read_csv(path, cols.budget, ["problem", "optimizer", "metric"])
    for c in ("k", "configurations", "seeds", "median", "q25", "q75"):
        budget[c] = numeric(budget, c, path)
    budget["k"] = budget["k"].astype(int)
    budget["configurations"] = budget["configurations"].astype(int)
    return budget, path


def best_runs(directory, best, cols, columns=()):
    """runs.csv rows of each best configuration, with `label` (optimizer and the tuned
    hyperparameters) added. Returns (runs of the best configurations, all runs)."""
    path = os.path.join(directory, "runs.csv")
    keys = cols.configuration
    runs = read_csv(path, keys + ["run_id", "rep", "status"] + list(columns), keys)
    chosen = runs.merge(best[keys].drop_duplicates(), on=keys, how="inner")
    labels = {k: varied_keys(g, cols) for k, g in runs.groupby("optimizer", sort=False)}
    chosen["label"] = [config_label(r, labels.get(r.optimizer, []), cols.hp_prefix)
                       for r in chosen.itertuples()]
    return chosen, runs


def varied_keys(runs, cols):
    """The columns of tuned values (hp_*, and the configuration columns other than the problem,
    the optimizer and config, which spells out all the others) that the sweep varied."""
    tuned = cols.hyperparameters(runs) + [c for c in cols.configuration
                                          if c not in ("problem", "optimizer", "config")]
    return [c for c in tuned if runs[c].nunique(dropna=True) > 1]


def config_label(row, varied, hp_prefix):
    """'momentum (lr=0.00316)': the optimizer's label and only the values the sweep tuned."""
    parts = []
    for c in varied:
        v = getattr(row, c)
        if isinstance(v, float):
            v = f"{v:.3g}"
        parts.append(f"{c.removeprefix(hp_prefix)}={v}" if c.startswith(hp_prefix) else str(v))
    return f"{row.optimizer} ({', '.join(parts)})" if parts else row.optimizer


def colors(labels):
    """One fixed color per optimizer label, in order of first appearance, for every figure."""
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    order = list(dict.fromkeys(labels))
    return {l: cycle[i % len(cycle)] for i, l in enumerate(order)}


def quartiles(curves):
    """Median, 25 % and 75 % across rows (seeds) of a 2-D array, ignoring NaN (no data)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN, quietly
        q = np.nanquantile(curves, [0.5, 0.25, 0.75], axis=0)
    return q[0], q[1], q[2]


def x_grid(xs, n=200, log=None):
    """A common grid over the x values of several traces; log-spaced when they span more than
    two decades or `log` is True (then it starts at the smallest positive x). Returns (grid,
    is_log)."""
    allx = np.concatenate([np.asarray(x, float) for x in xs])
    allx = allx[np.isfinite(allx)]
    pos = allx[allx > 0]
    if log is None:
        log = len(pos) > 0 and pos.max() / pos.min() > 100
    if log and len(pos):
        return np.geomspace(pos.min(), pos.max(), n), True
    return np.linspace(allx.min(), allx.max(), n), False


def interpolate(x, y, grid, log_x, log_y, after=np.nan):
    """One trace on the grid: linear in log x / log y when the axes are logarithmic (straight
    lines on the plot); NaN before its first point and `after` past its last."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    tx = np.log(np.maximum(x, 1e-300)) if log_x else x
    tg = np.log(grid) if log_x else grid
    ty = np.log(y) if log_y else y
    out = np.interp(tg, tx, ty, left=np.nan, right=np.nan)
    out = np.exp(out) if log_y else out
    out[tg > tx[-1]] = after
    out[tg < tx[0]] = np.nan
    return out


def save_figure(fig, stem):
    """Writes stem.png and stem.svg via temporary names, so no half-written figure is left."""
    os.makedirs(os.path.dirname(os.path.abspath(stem)), exist_ok=True)
    paths = []
    for fmt in ("png", "svg"):
        path = f"{stem}.{fmt}"
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=f".{fmt}",
                                   dir=os.path.dirname(os.path.abspath(path)))
        os.close(fd)
        try:
            fig.savefig(tmp, format=fmt, dpi=200, bbox_inches="tight",
                        metadata={"Date": None} if fmt == "svg" else None)
            commit_file(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        paths.append(path)
    plt.close(fig)
    print("\n".join(paths))
    return paths


def log_scale_fits(values):
    """A log axis fits: no negative values and some positive ones. Zeros (a gap of exactly 0)
    are drawn at the bottom of the axis."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    return len(v) > 0 and (v >= 0).all() and (v > 0).any()


def caption(fig, text):
    """One line under the figure saying how to read it: placed below everything else drawn
    (tick labels, axis labels, legends), which only the renderer knows."""
    box = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
    w, h = fig.get_size_inches()
    fig.text((box.x0 + box.x1) / 2 / w, (box.y0 - 0.06) / h, text, ha="center", va="top",
             fontsize=8, color="0.3")


def log_ticks(axis, most=6):
    """Ticks on whole decades at a round stride (1, 2, 3, 5, 10, ... decades), at most `most`:
    matplotlib's own choice over 90 decades is every 17th."""
    lo, hi = axis.get_view_interval()
    if hi / lo < 100:  # under two decades: label the 2×, 3×, 5× ticks too, as plain numbers
        axis.set_minor_locator(LogLocator(subs=(2, 3, 5)))
        for set_formatter in (axis.set_major_formatter, axis.set_minor_formatter):
            set_formatter(FuncFormatter(lambda v, _: fmt_sig(v)))
        return
    d0, d1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    stride = next(s for s in (1, 2, 3, 4, 5, 10, 15, 20, 25, 30, 50, 100, 200)
                  if (d1 - d0) / s <= most or s == 200)
    first = math.ceil(d0 / stride) * stride
    axis.set_major_locator(FixedLocator(10.0 ** np.arange(first, d1 + 1, stride)))
    if stride > 1:
        axis.set_minor_locator(NullLocator())


def headroom(ax, fraction):
    """Raises the top of the y axis so that the top `fraction` of the panel is free (for
    markers drawn there), on a log or linear axis alike."""
    lo, hi = ax.get_ylim()
    if ax.get_yscale() == "log":
        ax.set_ylim(lo, hi * (hi / lo) ** (fraction / (1 - fraction)))
    else:
        ax.set_ylim(lo, hi + (hi - lo) * fraction / (1 - fraction))


def fmt_sig(v, digits=3):
    """3 significant digits, exponent without padding: 3.44e-5, 0.0123, 412."""
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    s = f"{v:.{digits}g}"
    return re.sub(r"e([+-])0*(\d)", lambda m: "e" + ("-" if m[1] == "-" else "") + m[2], s)
