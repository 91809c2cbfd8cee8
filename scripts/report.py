#!/usr/bin/python3
"""One self-contained HTML page per sweep: `scripts/report.py DIR [--out FILE]` writes
DIR/report.html, which opens from disk with no network: the experiment as read, the machine and
build (meta.json), the tuned comparison table (sortable, with success rates), interactive
convergence curves, learning-rate sensitivity, performance and data profiles, tuning-budget
curves (random search) and trajectories on 2-D problems, and download links for the CSV files
and for every figure as SVG.

Why no plotly: Debian's python3-plotly (5.4.1) ships plotly.js 2.6.3 unminified, 8.7 MB
(/usr/share/python3-plotly/plotly.js), and no partial bundle, so embedding it alone breaks the
5 MB limit of a page; minifying it would add a build tool and still leave a 3.5 MB script to
parse before the first figure. The figures are drawn as plain SVG by a small hand-written
script (about 20 kB, below) from one JSON block, which also keeps the page byte-for-byte
deterministic: no random ids, no dates other than meta.json's, keys sorted, every plotted
number printed with 4 significant digits. It does what the report needs of plotly: log axes,
bands, hover, legend entries that hide a method, and each figure as an SVG download.

What is computed where: the table's cells are tables.cell's text; the curves are
plot_convergence.curves; the sensitivity slice is plot_sensitivity.lr_slice; the profiles'
costs are plot_profiles.cost_table; the trajectories' level sets use plot_trajectories'
functions and window. What those scripts compute inside their plotting functions (medians per
learning rate, profile ratios, budget bands, contour levels) is recomputed here, with a comment
naming the original.

Downsampling. Convergence curves: for each problem and x axis, every best-configuration seed's
trace is interpolated onto one common grid of exactly 200 points (plotlib.x_grid's default, as
plot_convergence.curves uses it: log-spaced from the smallest positive x when x spans more than
two decades, else linear; linear in log x / log y where the axes are logarithmic), and the
median and 25–75 % quartiles are taken on the grid (plotlib.quartiles). So every curve (median,
q25 and q75 of every optimizer, every x, every y) has exactly CURVE_POINTS = 200 points, a grid
value with no seed's data being null (a gap), whatever the number of runs or logging points. An
x column equal to an earlier one in every trace row (epochs = iterations without data, gradient
evaluations = iterations without line searches) has the same curves: computed and stored once.
Where the seeds agree everywhere (q25 = median = q75) only the median is stored.
Sensitivity, profiles and budget curves have one point per learning rate, instance or k (no
downsampling). Trajectories (one run per optimizer: its best configuration's first seed, re-run
with `descent run --trace-x`, which a sweep does not record) keep the first 100 iterates and
then at most 400 log-spaced ones (TRAJECTORY_POINTS = 500 at most); the level sets are traced
on an 80 × 80 grid.

Trajectories need the descent binary: --exe, else $DESCENT_EXE, else build/descent beside this
script's folder; each re-run is checked against runs.csv's final loss (a different build would
draw someone else's path) and left out, with a note, when it differs.

Bad input (no runs.csv, a CSV without a column meta.json declares, a meta.json of another
version) is one `error: <file>: ...` line on stderr and exit status 2, before anything is
written; the page is written under a temporary name and renamed, so no partial file is left.

In the page: <section id="experiment|machine|table|curves|sensitivity|profiles|budget|
trajectories|downloads">; table cells carry data-value (best.csv's number, as written), data-q25,
data-q75, data-success-rate; each figure is a <div class="plot" data-kind=...> whose .data
lists the traces drawn ({name, group, role, x, y}); a curve's selectors are
<select data-role="x|y" data-plot=ID>; window.reportReady is true once every figure is drawn."""
import argparse
import csv
import html
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import plotlib as pl  # noqa: E402
import scriptlib  # noqa: E402
import plot_budget  # noqa: E402
import plot_convergence  # noqa: E402
import plot_profiles  # noqa: E402
import plot_sensitivity  # noqa: E402
import plot_trajectories  # noqa: E402
import tables  # noqa: E402

CURVE_POINTS = 200  # plotlib.x_grid's n, as plot_convergence.curves calls it
TRAJECTORY_HEAD, TRAJECTORY_POINTS = 100, 500
CONTOUR_GRID = 80
SECTIONS = ["experiment", "machine", "table", "curves", "sensitivity", "profiles", "budget",
            "trajectories", "downloads"]
CSV_FILES = ["runs.csv", "traces.csv", "best.csv", "budget.csv", "meta.json", "experiment.toml"]


# ----------------------------------------------------------------------------- JSON and HTML

def js(obj):
    """Deterministic compact JSON: keys sorted, floats with 4 significant digits (far finer
    than a pixel), NaN and ±∞ as null (the callers turn infinities into markers first)."""
    if obj is None:
        return "null"
    if isinstance(obj, (bool, np.bool_)):
        return "true" if obj else "false"
    if isinstance(obj, (int, np.integer)):
        return str(int(obj))
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return f"{v:.4g}" if math.isfinite(v) else "null"
    if isinstance(obj, str):
        return json.dumps(obj, ensure_ascii=False)
    if isinstance(obj, dict):
        return "{" + ",".join(f"{js(str(k))}:{js(v)}" for k, v in sorted(obj.items())) + "}"
    if isinstance(obj, (list, tuple, np.ndarray)):
        return "[" + ",".join(js(v) for v in obj) + "]"
    raise TypeError(f"not JSON: {type(obj).__name__}")


def esc(text):
    return html.escape(str(text), quote=True)


def raw_rows(path, keys):
    """A CSV's cells as written, by the values of `keys`: data-value carries best.csv's own
    text (pandas' fast float parser may be an ulp off it), so a cell compares equal to the
    file. The file's numbers were checked by plotlib.numeric before."""
    with open(path, newline="", encoding="utf-8") as f:
        out = {}
        for r in csv.DictReader(f):
            out.setdefault(tuple(r[k] for k in keys), r)
        return out


# ----------------------------------------------------------------------------- input checks

def header(path):
    if not os.path.isfile(path):
        raise pl.InputError(f"{path}: no such file")
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise pl.InputError(f"{path}: not a CSV file ({e})")


def check_versions(directory, cols, facts):
    """runs.csv, traces.csv and best.csv have exactly the columns meta.json declares (a file
    written by another descent version has others, or lacks some): one error naming the file
    and the column, before anything is drawn."""
    why = "declared in meta.json: a file of another descent version?"
    runs_path = os.path.join(directory, "runs.csv")
    have = header(runs_path)
    declared = [c["name"] for c in facts["runs"] if c["role"] != "hyperparameters"]
    for c in declared:
        if c not in have:
            raise pl.InputError(f"{runs_path}: missing column '{c}' ({why})")
    for c in have:
        if c not in declared and not c.startswith(cols.hp_prefix):
            raise pl.InputError(f"{runs_path}: column '{c}' is not {why}")
    traces_path = os.path.join(directory, "traces.csv")
    have = header(traces_path)
    declared = ["run_id"] + [c["name"] for c in facts["traces"]]
    for c in declared:
        if c not in have:
            raise pl.InputError(f"{traces_path}: missing column '{c}' ({why})")
    for c in have:
        if c not in declared:
            raise pl.InputError(f"{traces_path}: column '{c}' is not {why}")
    best_path = os.path.join(directory, "best.csv")
    have = header(best_path)
    needed = cols.configuration + ["seeds", "success_rate", "tune_metric", "tune_stat"]
    needed += [f"{m}_{q}" for m in cols.metrics for q in cols.stats]
    for c in needed:
        if c not in have:
            raise pl.InputError(f"{best_path}: missing column '{c}' ({why})")


def read_meta(directory):
    path = os.path.join(directory, "meta.json")
    cols = pl.columns(directory)  # the errors of every script: missing, not JSON, old
    with open(path, encoding="utf-8") as f:
        return json.load(f), cols


# ----------------------------------------------------------------------------- sections

def experiment_section(directory, meta):
    path = os.path.join(directory, "experiment.toml")
    try:
        with open(path, encoding="utf-8") as f:
            text, where = f.read(), "experiment.toml"
    except (OSError, UnicodeDecodeError):
        text, where = meta.get("experiment"), "meta.json's \"experiment\""
    if not isinstance(text, str):
        return '<p class="absent">No experiment.toml and no "experiment" in meta.json.</p>'
    source = meta.get("experiment_file")
    origin = f" (from <code>{esc(source)}</code>)" if isinstance(source, str) else ""
    return (f"<p>The experiment as the sweep read it: {esc(where)}{origin}.</p>\n"
            f'<pre id="experiment-text">{esc(text)}</pre>')


def flatten(meta, prefix=""):
    out = []
    for k in sorted(meta):
        v = meta[k]
        key = f"{prefix}{k}"
        if isinstance(v, dict) and prefix == "":
            out += flatten(v, key + ".")
        else:
            out.append((key, v if isinstance(v, str) else json.dumps(v, sort_keys=True,
                                                                     ensure_ascii=False)))
    return out


def machine_section(meta):
    rows = [(k, v) for k, v in flatten({k: v for k, v in meta.items()
                                        if k not in ("columns", "experiment")})]
    body = "\n".join(f'<tr data-key="{esc(k)}"><th>{esc(k)}</th><td>{esc(v)}</td></tr>'
                     for k, v in rows)
    return ("<p>The machine, the build and the sweep's facts, from meta.json (its column facts "
            "aside).</p>\n" f'<table class="facts">\n{body}\n</table>')


def default_metric(best, cols):
    """tables.py's choice: the tune metric, else final_loss."""
    metric = best["tune_metric"].iloc[0] if len(best) else "final_loss"
    return metric if metric in cols.metrics else "final_loss"


def table_section(directory, best, cols, name):
    """One table per summarized metric that some cell has (the tune metric's shown first, as
    tables.py prints it); cells are tables.cell's text, the best median of each column bold (as
    tables.build_table picks it)."""
    path = os.path.join(directory, "best.csv")
    text_of = raw_rows(path, ["problem", "optimizer"])
    best = best.copy()
    for m in cols.metrics:
        for q in cols.stats:
            best[f"{m}_{q}"] = pl.numeric(best, f"{m}_{q}", path)
    best["success_rate"] = pl.numeric(best, "success_rate", path)
    problems = list(dict.fromkeys(best["problem"]))
    optimizers = list(dict.fromkeys(best["optimizer"]))
    first = default_metric(best, cols)
    metrics = [m for m in cols.metrics if best[f"{m}_{cols.stats[0]}"].notna().any()]
    if first not in metrics:
        metrics.insert(0, first)
    metrics.sort(key=lambda m: m != first)
    seeds = "/".join(dict.fromkeys(best["seeds"].astype(str)))
    options = "".join(f'<option value="{esc(m)}"{" selected" if m == first else ""}>'
                      f'{esc(m)}</option>' for m in metrics)
    parts = [f"<p>{esc(name)}: median over {esc(seeds)} seeds [25–75 %] (success rate) of each "
             f"optimizer's best configuration (tuned by {esc(best['tune_stat'].iloc[0])} "
             f"{esc(best['tune_metric'].iloc[0])}); ∞: not reached (or failed); best in bold. "
             "Click a header to sort; hover a cell for its configuration.</p>",
             f'<label>metric <select id="table-metric">{options}</select></label>']
    for m in metrics:
        median = f"{m}_{cols.stats[0]}"
        head = "".join(f'<th data-col="{j + 1}" data-problem="{esc(p)}">{esc(p)}</th>'
                       for j, p in enumerate(problems))
        rows = []
        for o in optimizers:
            cells = [f'<th scope="row" data-col="0">{esc(o)}</th>']
            for p in problems:
                sub = best[(best["problem"] == p)].drop_duplicates("optimizer")
                r = sub[sub["optimizer"] == o]
                if r.empty:
                    cells.append(f'<td data-problem="{esc(p)}" data-value="">—</td>')
                    continue
                r = r.iloc[0]
                finite = sub[median][sub[median].abs() < math.inf]  # as tables.build_table
                top = (finite.max() if m in cols.maximized else finite.min()) \
                    if len(finite) else None
                shown = esc(tables.cell(r, m, cols))
                if r[median] == top:
                    shown = f"<b>{shown}</b>"
                config = f"{r['config']} · schedule {r['schedule']} · batch {r['batch']}"
                written = text_of[p, o]
                cells.append(
                    f'<td data-problem="{esc(p)}" data-value="{esc(written[median])}" '
                    f'data-q25="{esc(written[f"{m}_{cols.stats[1]}"])}" '
                    f'data-q75="{esc(written[f"{m}_{cols.stats[2]}"])}" '
                    f'data-success-rate="{esc(written["success_rate"])}" '
                    f'title="{esc(config)}">{shown}</td>')
            rows.append(f'<tr data-optimizer="{esc(o)}">' + "".join(cells) + "</tr>")
        hidden = "" if m == first else " hidden"
        parts.append(f'<table class="sortable results" data-metric="{esc(m)}"{hidden}>'
                     f'<thead><tr><th data-col="0">optimizer</th>{head}</tr></thead>\n'
                     "<tbody>\n" + "\n".join(rows) + "\n</tbody></table>")
    return "\n".join(parts)


# ----------------------------------------------------------------------------- curves

def default_y(have, best, target, cols):
    """The y that the experiment is judged by: the target's measure, else the tune metric's
    trace column, else the gap, else the loss at the evaluation point."""
    tune = best["tune_metric"].iloc[0] if len(best) else ""
    wanted = []
    if target and tune in cols.to_target:
        wanted.append("gap" if target[0] == "rel_gap" else target[0])
    wanted.append(tune.removeprefix("final_"))
    wanted += ["gap", plot_convergence.judged_loss(cols), "loss"]
    return next((y for y in wanted if y in have), have[0])


def curve_data(problem, traces, chosen, best, target, cols, colors):
    """Everything the curves figure of one problem can show: for each x axis one grid, and for
    each y axis the median and quartiles of each optimizer's best configuration
    (plot_convergence.curves), with the y range plot_convergence.plot_problem would draw."""
    runs = chosen[chosen.problem == problem]
    here = traces[traces.run_id.isin(runs.run_id)]
    if here.empty:
        return None
    ys = [y for y in cols.y_axes if here[y].notna().any()]
    if "eval_loss" in ys and "loss" in ys:  # shown only where some optimizer moves it
        a, b = here["eval_loss"].to_numpy(), here["loss"].to_numpy()
        if np.array_equal(a, b, equal_nan=True):
            ys.remove("eval_loss")
    if not ys:
        return None
    by_run = dict(tuple(here.groupby("run_id")))
    configs = {r.optimizer: f"{r.config} · schedule {r.schedule} · batch {r.batch}"
               for r in best[best.problem == problem].itertuples()}
    log_y = {y: bool(y in cols.log_y and pl.log_scale_fits(here[y])) for y in ys}
    xs, alias = {}, {}
    for x in cols.x_axes:
        # An x column equal to an earlier one (epochs = iterations without data, gradient
        # evaluations = iterations without line searches) gives the same curves: stored once,
        # and not computed twice (plotlib.quartiles is the slow part).
        same = next((k for k in xs if np.array_equal(here[k].to_numpy(), here[x].to_numpy(),
                                                     equal_nan=True)), None)
        if same is not None:
            alias[x] = same
            continue
        entry = {"series": {}, "yrange": {}}
        grid, log_x = None, False
        for y in ys:
            data, log_x = plot_convergence.curves(by_run, runs, x, y, log_y[y], "auto")
            series = []
            for (optimizer, label), (g, med, q25, q75, n) in data.items():
                grid = g
                same = np.array_equal(q25, med, equal_nan=True) and \
                    np.array_equal(q75, med, equal_nan=True)  # seeds alike: no band to store
                s = {"optimizer": optimizer, "label": label, "seeds": n,
                     "color": colors[optimizer], "config": configs.get(optimizer, ""),
                     "median": med, "q25": None if same else q25, "q75": None if same else q75}
                series.append(s)
            entry["series"][y] = series
            entry["yrange"][y] = y_range([s["median"] for s in series], log_y[y])
        if grid is None:
            continue
        entry["grid"], entry["log"] = grid, log_x
        xs[x] = entry
    if not xs:
        return None
    targets = {}
    for y in ys:  # as plot_convergence.plot_problem draws the target
        if target and target[0] == y:
            targets[y] = {"y": target[1], "label": f"target: {y} = {pl.fmt_sig(target[1])}"}
        elif target and target[0] == "rel_gap" and y == "gap":
            start = here[here.iter == 0].gap.median()
            targets[y] = {"y": target[1] * start,
                          "label": f"target: {pl.fmt_sig(target[1])} × start gap"}
    return {"x": xs, "alias": alias, "y": ys, "logy": log_y, "target": targets,
            "xlabels": {x: cols.labels.get(x, x) for x in cols.x_axes},
            "ylabels": {y: cols.labels.get(y, y) for y in ys}}


def y_range(medians, log):
    """plot_convergence.plot_problem's log-y limits: the medians' span, 16 decades at most
    (exact arithmetic reaches 1e-90, a diverged median 1e300), 5 % of it as padding."""
    if not log or not medians:
        return None
    meds = np.concatenate(medians)
    meds = meds[np.isfinite(meds) & (meds < plot_convergence.HUGE) & (meds > 1e-300)]
    if not len(meds):
        return None
    lo, hi = max(meds.min(), meds.max() * 1e-16), meds.max()
    pad = (hi / lo) ** 0.05 if hi > lo else 2.0
    return [lo / pad, hi * pad]


def curves_section(name, problems, traces, chosen, best, target, cols, colors):
    figures, parts = [], []
    seeds = "/".join(dict.fromkeys(best["seeds"].astype(str)))
    for i, problem in enumerate(problems):
        d = curve_data(problem, traces, chosen, best, target, cols, colors)
        if d is None:
            parts.append(f'<p class="absent">{esc(problem)}: no trace points.</p>')
            continue
        pid = f"curves-{i}"
        d.update({"id": pid, "problem": problem})
        ydef = default_y(d["y"], best, target, cols)
        # Data problems move in epochs; the others in iterations.
        xdef = "epoch" if "epoch" in d["x"] and "iter" in d["x"] else "iter"
        xdef = xdef if xdef in d["x"] or xdef in d["alias"] else next(iter(d["x"]))
        d["default"] = {"x": xdef, "y": ydef}
        figures.append(d)
        xsel = "".join(f'<option value="{esc(x)}"{" selected" if x == xdef else ""}>'
                       f'{esc(cols.labels.get(x, x))} ({esc(x)})</option>'
                       for x in cols.x_axes if x in d["x"] or x in d["alias"])
        ysel = "".join(f'<option value="{esc(y)}"{" selected" if y == ydef else ""}>'
                       f'{esc(cols.labels.get(y, y))} ({esc(y)})</option>' for y in d["y"])
        xentry = d["x"][d["alias"].get(xdef, xdef)]
        parts.append(figure_html(
            pid, "curves", problem, f"{name}_curves_{pl.slug(problem)}.svg",
            f'<label>y <select id="{pid}-y" data-role="y" data-plot="{pid}">{ysel}</select>'
            f'</label> <label>x <select id="{pid}-x" data-role="x" data-plot="{pid}">{xsel}'
            f'</select></label> <label><input type="checkbox" id="{pid}-logx" data-role="logx" '
            f'data-plot="{pid}"{" checked" if xentry["log"] else ""}> log x</label> '
            f'<label><input type="checkbox" id="{pid}-logy" data-role="logy" data-plot="{pid}"'
            f'{" checked" if d["logy"][ydef] else ""}> log y</label>',
            f"Median over {seeds} seeds, band 25–75 %, each optimizer at its best configuration "
            f"(legend: tuned values; hover: the configuration). {CURVE_POINTS} points per curve.",
            f' data-points="{CURVE_POINTS}"'))
    intro = ("<p>Convergence of each optimizer's best configuration (best.csv's config, "
             "schedule and batch). Choose y and x; click a legend entry to hide a method.</p>")
    return intro + "\n" + "\n".join(parts), figures


def figure_html(pid, kind, problem, download, controls, caption, extra=""):
    """A figure's frame: its title, controls, SVG link, the plot div the script draws into
    (id, data-kind, data-problem) and its caption."""
    title = f"<h3>{esc(problem)}</h3>" if problem else ""
    of = f' data-problem="{esc(problem)}"' if problem else ""
    return (f'<figure class="fig" id="fig-{pid}">{title}<div class="controls">{controls} '
            f'<a class="svg" data-svg-for="{pid}" download="{esc(download)}" href="#">SVG</a>'
            f'</div><div class="plot" id="{pid}" data-kind="{kind}"{of}{extra}></div>'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


# ----------------------------------------------------------------------------- sensitivity

def sensitivity_section(name, problems, runs, chosen, target, cols, colors):
    """plot_sensitivity.panel's quantities, recomputed: the final gap (loss without f*) at each
    learning rate of the slice through the best configuration (plot_sensitivity.lr_slice),
    median over seeds with failed seeds counted as +∞, diverged rates, the tuned rate."""
    if "hp_lr" not in runs.columns:
        return '<p class="absent">No learning rate (hp_lr) in runs.csv.</p>', []
    optimizers = list(dict.fromkeys(chosen["optimizer"]))
    parts, figures, any_lr = [], [], False
    for i, problem in enumerate(problems):
        here = runs[runs.problem == problem]
        y = "final_gap" if here["final_gap"].notna().any() else "final_loss"
        curves, crosses, rings = {}, [], {}
        for optimizer in optimizers:
            rows = chosen[(chosen.problem == problem) & (chosen.optimizer == optimizer)]
            sl = plot_sensitivity.lr_slice(here, rows, cols).dropna(subset=["hp_lr"]) \
                if len(rows) else rows
            if sl.empty:
                continue
            stats = sl[y].where(sl.status == "ok", np.inf).groupby(sl.hp_lr).median()
            curves[optimizer] = stats[np.isfinite(stats)]
            any_lr |= sl.hp_lr.nunique() > 1
            div = np.sort(sl[sl.status != "ok"].hp_lr.unique())
            if len(div):
                crosses.append((optimizer, div))
            rings[optimizer] = rows.hp_lr.iloc[0]
        values = np.concatenate([c.to_numpy() for c in curves.values()] + [[]])
        log = pl.log_scale_fits(values)
        floor = None
        if log:  # 20 decades at most, the rest marked at the bottom
            values = values[values > 0]
            floor = max(values.min(), values.max() * 1e-20)
        traces, keys = [], []
        for optimizer, v in curves.items():
            c, lr, val = colors[optimizer], v.index.to_numpy(float), v.to_numpy(float)
            shown = np.maximum(val, floor) if floor is not None else val
            traces.append({"type": "line", "markers": True, "name": optimizer,
                           "group": optimizer, "color": c, "x": lr, "y": shown,
                           "hover": f"{optimizer}: other hyperparameters as in the best "
                                    "configuration", "role": "median"})
            below = val < floor if floor is not None else np.zeros(len(val), bool)
            if below.any():
                traces.append({"type": "markers", "symbol": "v", "group": optimizer,
                               "color": c, "x": lr[below], "y": shown[below],
                               "legend": False, "hover": f"{optimizer}: below the axis"})
                keys.append({"symbol": "v", "label": "below the axis"})
            ring = rings[optimizer]
            if ring in v.index:
                traces.append({"type": "markers", "symbol": "ring", "group": optimizer,
                               "color": c, "x": [ring], "y": [max(v[ring], floor or -np.inf)],
                               "legend": False, "hover": f"{optimizer}: the tuned rate"})
        for k, (optimizer, div) in enumerate(crosses):
            traces.append({"type": "markers", "symbol": "x", "group": optimizer,
                           "color": colors[optimizer], "x": div, "y": [None] * len(div),
                           "top": k, "legend": False,
                           "hover": f"{optimizer}: some seed diverged at this rate"})
        spec = {"xlog": True, "ylog": bool(log), "xlabel": "learning rate",
                "ylabel": "final gap f(x) − f*" if y == "final_gap" else "final loss f(x)",
                "traces": traces, "top_rows": len(crosses),
                "keys": [{"symbol": "ring", "label": "best configuration"}]
                + ([{"symbol": "x", "label": "diverged (some seed)"}] if crosses else [])
                + list({k["label"]: k for k in keys}.values())}
        if log:
            spec["yrange"] = [floor / 3, None]
        if target and target[0] == y.removeprefix("final_"):
            spec["hlines"] = [{"y": target[1], "label": f"target {pl.fmt_sig(target[1])}"}]
        pid = f"sensitivity-{i}"
        spec.update({"id": pid, "problem": problem})
        figures.append(spec)
        parts.append(figure_html(pid, "sensitivity", problem,
                                 f"{name}_sensitivity_{pl.slug(problem)}.svg", "",
                                 "Median over seeds of the final value at each learning rate, "
                                 "other hyperparameters at the best configuration; a diverged "
                                 "seed counts as +∞ (crosses at the top)."))
    if not any_lr:
        return ('<p class="absent">No learning-rate slice: no optimizer has runs that differ '
                "from its best configuration in the learning rate alone (one rate, or a random "
                "search over several keys).</p>"), []
    return "\n".join(parts), figures


# ----------------------------------------------------------------------------- profiles

def profile_specs(chosen, metric, cols, colors):
    """plot_profiles.main's performance and data profiles, recomputed on its cost table."""
    t = plot_profiles.cost_table(chosen, metric)
    costs = t.to_numpy()
    if t.empty or not np.isfinite(costs).any():
        return None
    n_inst = len(t)
    fastest = costs.min(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(np.isfinite(costs), costs / np.where(fastest > 0, fastest, 1), np.inf)
    ratio[np.isfinite(costs) & (fastest == 0)] = 1.0
    finite = ratio[np.isfinite(ratio)]
    tau_max = max(2.0, finite.max() * 1.5) if len(finite) else 2.0
    perf = []
    for j, opt in enumerate(t.columns):
        r = np.sort(ratio[:, j])
        x = np.concatenate([[1.0], r[np.isfinite(r)], [tau_max]])
        y = np.concatenate([[np.mean(r <= 1.0)], np.arange(1, np.isfinite(r).sum() + 1) / n_inst,
                            [np.isfinite(r).mean()]])
        perf.append({"type": "line", "step": True, "name": opt, "group": opt,
                     "color": colors[opt], "x": x, "y": y, "role": "profile",
                     "hover": f"{opt}: share of instances within τ of the fastest"})
    octaves = int(math.log2(tau_max))  # ticks 1, 2, 4, 8 (every few octaves past 8 ticks)
    ticks = [[2.0 ** k, f"{2 ** k:g}"] for k in range(0, octaves + 1, 1 + octaves // 8)]
    counts = metric in cols.integer
    dims = [plot_profiles.dimension(p) for p, _ in t.index]
    scaled = counts and all(d is not None for d in dims)
    budget = costs / (np.array(dims, float)[:, None] + 1) if scaled else costs
    finite = budget[np.isfinite(budget)]
    lo = finite.min() if len(finite) else 1.0
    hi = finite.max() * 1.5 if len(finite) else 2.0
    data = []
    for j, opt in enumerate(t.columns):
        b = np.sort(budget[:, j])
        b = b[np.isfinite(b)]
        data.append({"type": "line", "step": True, "name": opt, "group": opt,
                     "color": colors[opt], "x": np.concatenate([[lo / 1.5], b, [hi]]),
                     "y": np.concatenate([[0], np.arange(1, len(b) + 1) / n_inst,
                                          [len(b) / n_inst]]),
                     "role": "profile", "hover": f"{opt}: share of instances solved"})
    unit = cols.labels[metric]
    xlabel = (f"budget: {unit} / (dim + 1)" if scaled else
              f"budget: {unit} (not ÷ (dim + 1): a problem's dim is unknown)" if counts
              else f"budget: {unit}")
    problems = len(set(p for p, _ in t.index))
    return {"instances": n_inst, "problems": problems,
            "perf": {"xlog": True, "ylog": False, "xrange": [1, tau_max],
                     "yrange": [-0.02, 1.02], "xticks": ticks, "traces": perf,
                     "title": "performance profile",
                     "xlabel": f"τ: within a factor τ of the fastest ({unit})",
                     "ylabel": "fraction of instances solved"},
            "data": {"xlog": bool(hi / max(lo, 1e-300) > 20 and lo > 0), "ylog": False,
                     "xrange": [lo / 1.5, hi], "yrange": [-0.02, 1.02], "traces": data,
                     "title": "data profile", "xlabel": xlabel,
                     "ylabel": "fraction of instances solved"}}


def profiles_section(name, directory, chosen, best, cols, colors):
    specs = {}  # chosen's to-target columns are numbers already (build)
    for m in cols.to_target:
        s = profile_specs(chosen, m, cols, colors)
        if s is not None:
            specs[m] = s
    if not specs:
        why = ("The experiment has no target: the profiles count the cost of reaching one."
               if pl.experiment_target(directory) is None else
               "No optimizer reached the target on any instance: no profiles.")
        return f'<p class="absent">{why}</p>', {}
    first = next((m for m in best["tune_metric"] if m in specs), None) or \
        ("evals_to_target" if "evals_to_target" in specs else next(iter(specs)))
    options = "".join(f'<option value="{esc(m)}"{" selected" if m == first else ""}>'
                      f'{esc(m)}</option>' for m in specs)
    s = specs[first]
    controls = f'<label>cost <select id="profiles-metric" data-role="metric">{options}</select>' \
               "</label>"
    text = (f"{s['instances']} instances ({s['problems']} problems × seeds), best "
            "configurations. Higher is better; at τ = 1: share won, at the right: share solved.")
    html_ = (f"<p>Performance profiles (Dolan & Moré 2002) and data profiles (Moré & Wild "
             f"2009): every problem × seed one instance, its cost a to-target metric.</p>"
             f'<div class="controls">{controls}</div>\n'
             + figure_html("profiles-perf", "profile", "", f"{name}_profile_performance.svg",
                           "", text)
             + figure_html("profiles-data", "profile", "", f"{name}_profile_data.svg", "",
                           text))
    return html_, {"default": first, "metrics": specs}


# ----------------------------------------------------------------------------- budget

def budget_section(name, directory, cols, colors):
    """plot_budget.panel's curves, recomputed (k on a log2 axis, the defaults apart at the
    left, ∞ medians as triangles at the top), and tables.budget_cell's table at every k."""
    path = os.path.join(directory, "budget.csv")
    if not os.path.isfile(path):
        try:
            pl.load_budget(directory, cols)
        except pl.InputError as e:  # why there is none, as tables.py --budget says it
            return f'<p class="absent">{esc(e)}</p>', []
    budget, path = pl.load_budget(directory, cols)
    if budget.empty:
        return f'<p class="absent">{esc(path)}: no rows.</p>', []
    metric = budget["metric"].iloc[0]
    written = raw_rows(path, ["problem", "optimizer", "k"])
    maximize = metric in cols.maximized
    optimizers = list(dict.fromkeys(budget["optimizer"]))
    parts, figures = [], []
    default_x = plot_budget.DEFAULT_X
    for i, problem in enumerate(dict.fromkeys(budget["problem"])):
        here = budget[budget.problem == problem]
        finite = here[["median", "q25", "q75"]].to_numpy().ravel()
        finite = finite[np.isfinite(finite)]
        positive = finite[finite > 0]
        log = bool(not maximize and pl.log_scale_fits(finite) and
                   positive.max() / positive.min() > 10)
        floor = positive.min() if log else -np.inf
        top = finite.max() if len(finite) else 1.0
        bottom = max(finite.min(), floor) if len(finite) else 0.0
        traces, rows_inf = [], 0
        for optimizer in optimizers:
            rows = here[here.optimizer == optimizer].sort_values("k")
            if rows.empty:
                continue
            c = colors.get(optimizer, "#333333")
            curve = rows[rows.k > 0]
            x = np.log2(curve.k.to_numpy(float))
            med = curve["median"].to_numpy()
            drawn = np.isfinite(med)
            shown = np.where(drawn, np.maximum(med, floor), np.nan)
            band_lo = np.where(drawn, np.clip(curve["q25"].to_numpy(), bottom, top), np.nan)
            band_hi = np.where(drawn, np.clip(curve["q75"].to_numpy(), bottom, top), np.nan)
            hover = f"{optimizer}: expected best of k configurations"
            traces.append({"type": "band", "group": optimizer, "color": c, "x": x,
                           "lo": band_lo, "hi": band_hi})
            traces.append({"type": "line", "markers": True, "name": optimizer,
                           "group": optimizer, "color": c, "x": x, "y": shown, "hover": hover,
                           "t": [f"k = {k}" for k in curve.k], "role": "median"})
            below = drawn & (med < floor)
            if below.any():
                traces.append({"type": "markers", "symbol": "v", "group": optimizer,
                               "color": c, "x": x[below], "y": shown[below], "legend": False,
                               "hover": f"{optimizer}: 0 (below the axis)"})
            alone = drawn & ~np.concatenate([[False], drawn[:-1]]) & \
                ~np.concatenate([drawn[1:], [False]])  # no band to either side: a bar
            if alone.any():
                traces.append({"type": "errorbar", "symbol": "o", "group": optimizer,
                               "color": c, "x": x[alone], "y": shown[alone],
                               "lo": band_lo[alone], "hi": band_hi[alone], "legend": False,
                               "hover": hover})
            off = list(x[np.isinf(med)])
            default = rows[rows.k == 0]
            if len(default) and np.isfinite(default["median"].iloc[0]):
                d = default.iloc[0]
                m = max(d["median"], bottom)
                q25, q75 = np.clip([d["q25"], d["q75"]], bottom, top)
                traces.append({"type": "errorbar", "symbol": "D", "group": optimizer,
                               "color": c, "x": [default_x], "y": [m], "lo": [min(q25, m)],
                               "hi": [max(q75, m)], "legend": False,
                               "hover": f"{optimizer}: the default hyperparameters"})
            elif len(default) and np.isinf(default["median"].iloc[0]):
                off.insert(0, default_x)
            if off:
                traces.append({"type": "markers", "symbol": "^", "group": optimizer,
                               "color": c, "x": off, "y": [None] * len(off), "top": rows_inf,
                               "legend": False,
                               "hover": f"{optimizer}: ∞ (the k tried may all miss)"})
                rows_inf += 1
        ks = sorted(set(here.k))
        ticks = [[default_x if k == 0 else math.log2(k), "default" if k == 0 else str(k)]
                 for k in ks]
        spec = {"id": f"budget-{i}", "problem": problem, "xlog": False, "ylog": log,
                "xticks": ticks,
                "xlabel": "configurations tried, k (log₂)",
                "ylabel": f"expected best {cols.labels.get(metric, metric)}",
                "traces": traces, "top_rows": rows_inf,
                "vlines": [(default_x + 0) / 2] if 0 in ks else [],
                "keys": ([{"symbol": "D", "label": "default hyperparameters"}] if 0 in ks
                         else []) + ([{"symbol": "^", "label": "∞ (the k tried may all miss)"}]
                                     if rows_inf else [])}
        if log:
            spec["yrange"] = [floor / 3, None]
        figures.append(spec)
        parts.append(figure_html(spec["id"], "budget", problem,
                                 f"{name}_budget_{pl.slug(problem)}.svg", "",
                                 f"Expected best {metric} of k random configurations (Dodge et "
                                 "al. 2019), median over seeds, 25–75 % shaded."))
        parts.append(budget_table(here, ks, metric, cols, problem, written))
    failed = ("an unreached target counts as ∞" if metric in cols.to_target
              else "a failed run counts as its start point")
    intro = (f"<p>What tuning buys (budget.csv): the expected best {esc(metric)} when only k of "
             f"the N random configurations are tried; {failed}.</p>")
    return intro + "\n" + "\n".join(parts), figures


def budget_table(here, ks, metric, cols, problem, written):
    """tables.py --budget's table of one problem at every k, cells tables.budget_cell's."""
    head = "".join(f'<th data-col="{j + 2}">{"default" if k == 0 else f"k = {k}"}</th>'
                   for j, k in enumerate(ks))
    rows = []
    for o in dict.fromkeys(here["optimizer"]):
        sub = here[here.optimizer == o]
        n = sub[sub.k > 0]["configurations"]
        cells = [f'<th scope="row" data-col="0">{esc(o)}</th>',
                 f'<td data-value="{int(n.iloc[0]) if len(n) else ""}">'
                 f'{int(n.iloc[0]) if len(n) else "—"}</td>']
        for k in ks:
            r = sub[sub.k == k]
            if r.empty:
                cells.append('<td data-value="">—</td>')
                continue
            r = r.iloc[0]
            w = written[problem, o, str(k)]
            cells.append(f'<td data-k="{k}" data-value="{esc(w["median"])}" '
                         f'data-q25="{esc(w["q25"])}" data-q75="{esc(w["q75"])}">'
                         f'{esc(tables.budget_cell(r, metric, cols))}</td>')
        rows.append(f'<tr data-optimizer="{esc(o)}">' + "".join(cells) + "</tr>")
    return (f'<table class="sortable budget" data-problem="{esc(problem)}"><thead><tr>'
            f'<th data-col="0">optimizer</th><th data-col="1">N</th>{head}</tr></thead>'
            "<tbody>" + "\n".join(rows) + "</tbody></table>")


# ----------------------------------------------------------------------------- trajectories

def find_exe(option):
    if option is not None:
        if option and not (os.path.isfile(option) and os.access(option, os.X_OK)):
            raise pl.InputError(f"--exe {option}: no such executable")
        return option or None
    for candidate in (os.environ.get("DESCENT_EXE"),
                      os.path.join(HERE, "..", "build", "descent")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    return None


def descent_run(exe, run, out, iters, batch):
    """`descent run --trace-x` of one runs.csv row; returns the error line or None."""
    cmd = [exe, "run", "--problem", run["problem"], "--optimizer", run["config"],
           "--schedule", run["schedule"], "--iters", str(iters), "--seed", run["seed"],
           "--trace", out, "--trace-x"]
    if batch and int(float(run["batch"] or 0)) > 0:
        cmd += ["--batch", str(int(float(run["batch"])))]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"{exe} run failed ({e})"
    if r.returncode != 0:
        return (r.stderr.strip().splitlines() or ["failed"])[-1].removeprefix("error: ")
    return None


def two_d(exe, run, tmp):
    """Whether the run's problem is 2-D: one step with --trace-x (which refuses dimensions
    above 3) tells, before any long re-run."""
    out = os.path.join(tmp, "probe.csv")
    if descent_run(exe, run, out, 1, batch=False) is not None:
        return False
    return header(out)[-2:] == ["x0", "x1"]


def rerun(exe, run, tmp):
    """The iterates of one sweep run, from `descent run --trace-x` at the run's seed (the
    sweep's traces hold no x). Returns (table, reason it is not drawn)."""
    out = os.path.join(tmp, f"{run['run_id']}.csv")
    iters = int(float(run["iters"]))
    if iters < 1:
        return None, f"run {run['run_id']}: no steps"
    why = descent_run(exe, run, out, iters, batch=True)
    if why and "no data samples" in why:  # the experiment's batch, on a problem without data
        why = descent_run(exe, run, out, iters, batch=False)
    if why:
        return None, why
    t = pd.read_csv(out)
    final = t["eval_loss"].iloc[-1] if "eval_loss" in t.columns else t["loss"].iloc[-1]
    want = float(run["final_loss"]) if run["final_loss"] else math.nan
    same = (final == want) or (math.isnan(final) and math.isnan(want)) or \
        (math.isfinite(want) and abs(final - want) <= 1e-12 * max(abs(want), 1e-300))
    if not same:
        return None, (f"run {run['run_id']}: {exe} ends at loss {final!r}, runs.csv says "
                      f"{want!r} (another build?)")
    return t, None


def thin(n):
    """Indices of the iterates kept: the first TRAJECTORY_HEAD, then log-spaced, the last
    always; TRAJECTORY_POINTS at most."""
    if n <= TRAJECTORY_POINTS:
        return np.arange(n)
    tail = np.geomspace(TRAJECTORY_HEAD, n - 1, TRAJECTORY_POINTS - TRAJECTORY_HEAD)
    return np.unique(np.concatenate([np.arange(TRAJECTORY_HEAD), np.round(tail).astype(int)]))


def contours(problem, paths):
    """plot_trajectories.main's log-spaced level sets of f − f*, over its window, on a coarser
    grid; None for a problem it has no definition of."""
    name, _, keys = problem.partition(":")
    if name not in plot_trajectories.PROBLEMS or keys not in ("", "dim=2"):
        return None, None
    f, fstar, minima, saddles, default = plot_trajectories.PROBLEMS[name]
    (x_lo, x_hi), (y_lo, y_hi) = plot_trajectories.window(default, paths, minima + saddles)
    gx, gy = np.meshgrid(np.linspace(x_lo, x_hi, CONTOUR_GRID),
                         np.linspace(y_lo, y_hi, CONTOUR_GRID))
    z = f(gx, gy) - fstar
    floor = max(np.quantile(z, 0.001), 1e-3)
    levels = np.geomspace(floor, z.max(), 25)
    import contourpy  # matplotlib's contouring, without a figure
    gen = contourpy.contour_generator(gx, gy, z)
    lines = []
    for j, level in enumerate(levels):
        for seg in gen.lines(level):
            if len(seg) >= 2:
                lines.append({"level": j, "x": seg[:, 0], "y": seg[:, 1]})
    marks = {"minima": minima, "saddles": saddles}
    return {"lines": lines, "levels": len(levels), "window": [x_lo, x_hi, y_lo, y_hi]}, marks


def trajectories_section(name, directory, problems, chosen, exe, colors):
    if exe is None:
        return ('<p class="absent">No descent binary (--exe, DESCENT_EXE or build/descent): '
                "trajectories need the iterates, which a sweep does not record.</p>"), []
    wanted = {}
    for (problem, optimizer), g in chosen.groupby(["problem", "optimizer"], sort=False):
        first = g.sort_values(["rep", "run_id"]).iloc[0]
        wanted[int(first.run_id)] = (problem, optimizer, first.label)
    rows = {}
    with open(os.path.join(directory, "runs.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if int(r["run_id"]) in wanted:
                rows[int(r["run_id"])] = r
    parts, figures, notes = [], [], []
    tmp = tempfile.mkdtemp(prefix="descent-report-")
    try:
        for i, problem in enumerate(problems):
            ids = [k for k, v in wanted.items() if v[0] == problem]
            if not ids or not two_d(exe, rows[ids[0]], tmp):
                continue
            paths, traces = [], []
            for run_id in ids:
                t, why = rerun(exe, rows[run_id], tmp)
                if why:
                    notes.append(f"{problem}, {wanted[run_id][1]}: {why}")
                    continue
                _, optimizer, label = wanted[run_id]
                keep = thin(len(t))
                px, py = t["x0"].to_numpy(float), t["x1"].to_numpy(float)
                paths.append(np.column_stack([px, py]))
                c = colors[optimizer]
                hover = f"{label}, seed {rows[run_id]['seed']}: {rows[run_id]['config']}"
                traces.append({"type": "line", "markers": len(keep) <= 150, "name": label,
                               "group": optimizer, "color": c, "x": px[keep], "y": py[keep],
                               "t": [f"iter {int(k)}" for k in t["iter"].to_numpy()[keep]],
                               "hover": hover, "role": "path"})
                traces.append({"type": "markers", "symbol": "start", "group": optimizer,
                               "color": c, "x": px[:1], "y": py[:1], "legend": False,
                               "hover": f"{optimizer}: start"})
                traces.append({"type": "markers", "symbol": "X", "group": optimizer,
                               "color": c, "x": px[-1:], "y": py[-1:], "legend": False,
                               "hover": f"{optimizer}: end"})
            if not traces:
                continue
            level, marks = contours(problem, paths)
            spec = {"id": f"trajectories-{i}", "problem": problem, "xlog": False, "ylog": False,
                    "xlabel": "x₀", "ylabel": "x₁", "traces": traces,
                    "keys": [{"symbol": "start", "label": "start"},
                             {"symbol": "X", "label": "end"}]}
            if level is not None:
                w = level["window"]
                spec.update({"contours": level, "xrange": w[:2], "yrange": w[2:]})
                for kind, symbol, what in (("minima", "star", "minimizer"),
                                           ("saddles", "plus", "saddle point")):
                    for m in marks[kind]:
                        spec["traces"].append({"type": "markers", "symbol": symbol,
                                               "group": "_" + kind, "color": "#ffd700",
                                               "x": [m[0]], "y": [m[1]], "legend": False,
                                               "hover": f"{what} ({m[0]:g}, {m[1]:g})"})
                spec["keys"] += [{"symbol": "star", "label": "minimizer"}] + (
                    [{"symbol": "plus", "label": "saddle point"}] if marks["saddles"] else [])
            else:
                notes.append(f"{problem}: no level sets (plot_trajectories.py has no "
                             "definition of it)")
            figures.append(spec)
            parts.append(figure_html(spec["id"], "trajectories", problem,
                                     f"{name}_trajectories_{pl.slug(problem)}.svg", "",
                                     "Each optimizer's best configuration, first seed, re-run "
                                     "with descent run --trace-x; level sets of f − f* "
                                     "log-spaced."))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not figures and not notes:
        return '<p class="absent">No 2-D problem in the experiment.</p>', []
    note = "".join(f'<p class="note">{esc(n)}.</p>' for n in notes)
    return "\n".join(parts) + note, figures


# ----------------------------------------------------------------------------- downloads

def downloads_section(directory, out, svgs):
    rel = os.path.relpath(os.path.abspath(directory), os.path.dirname(os.path.abspath(out)))
    files = []
    for f in CSV_FILES:
        p = os.path.join(directory, f)
        if os.path.isfile(p):
            href = f if rel == "." else f"{rel}/{f}"
            files.append(f'<li><a class="file" href="{esc(href)}" download>{esc(f)}</a> '
                         f"({os.path.getsize(p):,} bytes)</li>")
    figs = "".join(f'<li><a class="svg" data-svg-for="{esc(pid)}" download="{esc(d)}" '
                   f'href="#">{esc(d)}</a></li>' for pid, d in svgs)
    return (f"<h3>Data</h3><ul>{''.join(files)}</ul>\n<h3>Figures (SVG, as shown)</h3>"
            f"<ul>{figs}</ul>")


# ----------------------------------------------------------------------------- page

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:0 16px;color:#222}
h1{margin:.6em 0 .2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
nav a{margin-right:.8em}pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ddd;padding:3px 7px}
table.results td,table.budget td{text-align:right;white-space:nowrap}
table.sortable thead th{cursor:pointer;background:#f3f3f3}
th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
table.facts th{text-align:left;font-weight:normal;color:#555}
figure{margin:1em 0;border:1px solid #eee;padding:6px}figure h3{margin:.2em 0;font-size:14px}
.plot{position:relative}.plot svg{width:100%;height:auto;max-width:900px;display:block}
.controls{margin:.3em 0}.controls select{margin-right:.6em}
.controls a.svg{float:right}figcaption{font-size:12px;color:#555}
.absent{color:#777;font-style:italic}.note{color:#a60;font-size:12px}
.tip{position:absolute;pointer-events:none;background:rgba(255,255,255,.95);
border:1px solid #999;padding:3px 6px;font-size:12px;white-space:pre-wrap;max-width:380px;
overflow-wrap:anywhere;display:none;z-index:2}
"""


def page(name, meta, bodies, data):
    title = f"descent report: {name}"
    facts = []
    for key in ("date", "git_commit", "cpu", "runs"):
        if key in meta:
            facts.append(f"{key} {meta[key]}")
    nav = "".join(f'<a href="#{s}">{s}</a>' for s in SECTIONS)
    sections = "\n".join(f'<section id="{s}">\n<h2>{s.capitalize()}</h2>\n{bodies[s]}\n'
                         "</section>" for s in SECTIONS)
    payload = js(data).replace("<", "\\u003c")
    return ("<!DOCTYPE html>\n"
            f'<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{esc(title)}</title>\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<link rel="icon" href="data:,">\n'
            f"<style>{CSS}</style>\n</head>\n<body>\n"
            f"<header><h1>{esc(title)}</h1><p>{esc(' · '.join(facts))}</p>"
            f"<nav>{nav}</nav></header>\n{sections}\n"
            f'<script type="application/json" id="report-data">{payload}</script>\n'
            f"<script>\n{SCRIPT}</script>\n</body>\n</html>\n")


def build(directory, out, exe):
    meta, cols = read_meta(directory)
    check_versions(directory, cols, meta["columns"])
    name = pl.experiment_name(directory)
    target = pl.experiment_target(directory)
    best, best_path = pl.load_best(directory, cols,
                                   ["seeds", "success_rate", "tune_metric", "tune_stat"])
    if best.empty:
        raise pl.InputError(f"{best_path}: no rows")
    need = ["hp_lr"] if "hp_lr" in header(os.path.join(directory, "runs.csv")) else []
    need += ["final_loss", "final_gap"] + cols.to_target
    chosen, runs = pl.best_runs(directory, best, cols, need)
    runs_path = os.path.join(directory, "runs.csv")
    for c in need:
        runs[c] = pl.numeric(runs, c, runs_path)
        chosen[c] = pl.numeric(chosen, c, runs_path)
    if chosen.empty:
        raise pl.InputError(f"{runs_path}: no runs of the configurations in {best_path}")
    traces_path = os.path.join(directory, "traces.csv")
    tcols = ["run_id"] + cols.x_axes + cols.y_axes
    traces = pl.read_csv(traces_path, tcols)[tcols]
    traces = traces[traces.run_id.isin(chosen.run_id)].copy()
    for c in tcols[1:]:
        traces[c] = pl.numeric(traces, c, traces_path)

    problems = list(dict.fromkeys(best["problem"]))
    colors = pl.colors(best["optimizer"])
    bodies = {"experiment": experiment_section(directory, meta),
              "machine": machine_section(meta),
              "table": table_section(directory, best, cols, name)}
    bodies["curves"], curves = curves_section(name, problems, traces, chosen, best, target,
                                              cols, colors)
    bodies["sensitivity"], sens = sensitivity_section(name, problems, runs, chosen, target,
                                                      cols, colors)
    bodies["profiles"], profiles = profiles_section(name, directory, chosen, best, cols, colors)
    bodies["budget"], budget = budget_section(name, directory, cols, colors)
    bodies["trajectories"], traj = trajectories_section(name, directory, problems, chosen, exe,
                                                        colors)
    figures = {f["id"]: f for f in sens + budget + traj}
    svgs = [(c["id"], f"{name}_curves_{pl.slug(c['problem'])}.svg") for c in curves]
    if profiles:
        svgs += [("profiles-perf", f"{name}_profile_performance.svg"),
                 ("profiles-data", f"{name}_profile_data.svg")]
    for f in sens + budget + traj:
        kind = f["id"].rpartition("-")[0]
        svgs.append((f["id"], f"{name}_{kind}_{pl.slug(f['problem'])}.svg"))
    bodies["downloads"] = downloads_section(directory, out, svgs)
    data = {"name": name, "curves": curves, "figures": figures, "profiles": profiles}
    return page(name, meta, bodies, data)


def index_page(root, names):
    """results/index.html: one link per experiment's report, with its first comment line and
    its run count; nothing that changes between two runs of the same results."""
    rows = []
    for name in names:
        directory = os.path.join(root, name)
        for f in ("report.html", "runs.csv", "experiment.toml"):
            if not os.path.exists(os.path.join(directory, f)):
                raise pl.InputError(f"{os.path.join(directory, f)}: no such file")
        with open(os.path.join(directory, "experiment.toml"), encoding="utf-8") as f:
            comments = [line[1:].strip() for line in f if line.startswith("#")]
        with open(os.path.join(directory, "runs.csv"), encoding="utf-8") as f:
            runs = sum(1 for _ in csv.reader(f)) - 1
        rows.append(f'<tr><td><a href="{html.escape(name)}/report.html">{html.escape(name)}</a>'
                    f"</td><td>{runs}</td><td>{html.escape(' '.join(comments[:2]))}</td></tr>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>descent results</title><style>body{font-family:sans-serif;margin:2em}"
            "td,th{padding:.3em .8em;text-align:left;vertical-align:top}</style></head><body>\n"
            "<h1>descent results</h1>\n<p>One page per experiment (scripts/report.py), made by "
            "scripts/reproduce.sh.</p>\n<table><tr><th>experiment</th><th>runs</th><th>what</th>"
            "</tr>\n" + "\n".join(rows) + "\n</table>\n</body></html>\n")


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--index":  # report.py --index ROOT NAME...
        root, names = sys.argv[2], sys.argv[3:]
        out = os.path.join(root, "index.html")
        pl.write_text(out, index_page(root, names))
        print(out)
        return
    ap = scriptlib.Parser(description=__doc__.split("\n\n")[0],
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", help="sweep output directory (meta.json, runs.csv, traces.csv, "
                    "best.csv; budget.csv for random search)")
    ap.add_argument("--out", help="the page (default: DIR/report.html)")
    ap.add_argument("--exe", help="descent binary for the trajectories on 2-D problems "
                    "(default: $DESCENT_EXE, else build/descent; '' for none)")
    args = ap.parse_args()
    out = args.out or os.path.join(args.dir, "report.html")
    exe = find_exe(args.exe)
    text = build(args.dir, out, exe)
    try:
        pl.write_text(out, text)
    except OSError as e:
        raise pl.InputError(f"{out}: {e.strerror}")
    print(out)


SCRIPT = r"""
"use strict";
(function () {
var DATA = JSON.parse(document.getElementById("report-data").textContent);
var NS = "http://www.w3.org/2000/svg";
var PW = 520, PH = 320, ML = 72, MT = 16, MB = 48;  // plot area and margins (SVG units)

function el(tag, attrs, parent, text) {
  var e = document.createElementNS(NS, tag);
  for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}
function fin(v) { return v !== null && v !== undefined && isFinite(v); }
function fmt(v) {  // plotlib.fmt_sig: 3 significant digits, exponent without padding
  if (v === null || v === undefined || v !== v) return "—";
  if (!isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (v === 0) return "0";
  var e = Math.floor(Math.log10(Math.abs(v)) + 1e-12), s;
  if (e < -4 || e >= 3) {
    var p = v.toExponential(2).split("e");
    s = p[0].replace(/\.?0+$/, "") + "e" + parseInt(p[1], 10);
  } else {
    s = v.toPrecision(3);
    if (s.indexOf(".") >= 0 && s.indexOf("e") < 0) s = s.replace(/\.?0+$/, "");
  }
  return s;
}
function scale(lo, hi, log, p0, p1) {
  var a = log ? Math.log10(lo) : lo, b = log ? Math.log10(hi) : hi;
  var f = function (v) {
    if (!fin(v) || (log && v <= 0)) return NaN;
    var t = log ? Math.log10(v) : v;
    return Math.max(-1e5, Math.min(1e5, p0 + (t - a) / (b - a) * (p1 - p0)));
  };
  f.lo = lo; f.hi = hi; f.log = log;
  return f;
}
function extent(values, log) {
  var lo = Infinity, hi = -Infinity;
  for (var i = 0; i < values.length; i++) {
    var v = values[i];
    if (!fin(v) || (log && v <= 0) || Math.abs(v) >= 1e299) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi >= lo)) return log ? [0.1, 10] : [0, 1];
  if (log) {
    if (hi === lo) return [lo / 2, hi * 2];
    var pad = Math.pow(hi / lo, 0.04);
    return [lo / pad, hi * pad];
  }
  if (hi === lo) { var d = Math.abs(lo) * 0.1 || 1; return [lo - d, hi + d]; }
  var m = (hi - lo) * 0.04;
  return [lo - m, hi + m];
}
function linTicks(lo, hi) {
  var span = hi - lo, raw = span / 5, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  var step = [1, 2, 2.5, 5, 10].map(function (s) { return s * mag; })
    .filter(function (s) { return span / s <= 6; })[0] || 10 * mag;
  var out = [];
  for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push([Math.abs(v) < step * 1e-9 ? 0 : v, fmt(Math.abs(v) < step * 1e-9 ? 0 : v)]);
  return out;
}
function decade(k) {  // 10⁻⁵: the exponent in superscript digits
  var sup = "⁰¹²³⁴⁵⁶⁷⁸⁹";
  return "10" + String(k).replace("-", "⁻").replace(/[0-9]/g, function (d) { return sup[+d]; });
}
function logTicks(lo, hi) {  // plotlib.log_ticks: whole decades at a round stride
  var out = [], d0 = Math.floor(Math.log10(lo)), d1 = Math.ceil(Math.log10(hi));
  if (hi / lo < 100) {
    for (var d = d0; d <= d1; d++) [1, 2, 3, 5].forEach(function (m) {
      var v = m * Math.pow(10, d);
      if (v >= lo && v <= hi) out.push([v, fmt(v)]);
    });
    return out;
  }
  var strides = [1, 2, 3, 4, 5, 10, 15, 20, 25, 30, 50, 100, 200], s = 200;
  for (var i = 0; i < strides.length; i++) {
    if ((d1 - d0) / strides[i] <= 6) { s = strides[i]; break; }
  }
  for (var k = Math.ceil(d0 / s) * s; k <= d1; k += s) {
    var v = Math.pow(10, k);
    if (v >= lo * 0.999 && v <= hi * 1.001) out.push([v, decade(k)]);
  }
  return out;
}
function symbolPath(sym, x, y, r) {
  switch (sym) {
    case "x": case "X": return "M" + (x - r) + "," + (y - r) + "L" + (x + r) + "," + (y + r) +
      "M" + (x - r) + "," + (y + r) + "L" + (x + r) + "," + (y - r);
    case "plus":
      return "M" + (x - r) + "," + y + "H" + (x + r) + "M" + x + "," + (y - r) + "V" + (y + r);
    case "v": return "M" + (x - r) + "," + (y - r) + "H" + (x + r) + "L" + x + "," + (y + r) + "Z";
    case "^": return "M" + (x - r) + "," + (y + r) + "H" + (x + r) + "L" + x + "," + (y - r) + "Z";
    case "D": return "M" + x + "," + (y - r) + "L" + (x + r) + "," + y + "L" + x + "," + (y + r) +
      "L" + (x - r) + "," + y + "Z";
    case "star":
      var p = [];
      for (var i = 0; i < 10; i++) {
        var a = -Math.PI / 2 + i * Math.PI / 5, q = i % 2 ? r * 0.45 : r;
        p.push((x + q * Math.cos(a)).toFixed(2) + "," + (y + q * Math.sin(a)).toFixed(2));
      }
      return "M" + p.join("L") + "Z";
    default: return "M" + (x - r) + "," + y + "A" + r + "," + r + " 0 1,0 " + (x + r) + "," + y +
      "A" + r + "," + r + " 0 1,0 " + (x - r) + "," + y + "Z";
  }
}
function marker(g, sym, x, y, color, size) {
  var r = size || ({star: 7, X: 5, ring: 6, start: 4, D: 4}[sym] || 4);
  var attrs = {d: symbolPath(sym, x, y, r), stroke: color, fill: color, "stroke-width": 1.2};
  if (sym === "x") attrs.fill = "none", attrs["stroke-width"] = 1.8;
  if (sym === "X") attrs["stroke-width"] = 2.6;
  if (sym === "plus") attrs.stroke = "#000", attrs["stroke-width"] = 2.4;
  if (sym === "ring") attrs.fill = "none", attrs["stroke-width"] = 1.5;
  if (sym === "start") attrs.fill = "#fff", attrs["stroke-width"] = 1.6;
  if (sym === "star" || sym === "v") attrs.stroke = "#000", attrs["stroke-width"] = 0.6;
  return el("path", attrs, g);
}
function polyline(points) {
  var parts = [], run = [];
  for (var i = 0; i < points.length; i++) {
    var p = points[i];
    if (p[0] === p[0] && p[1] === p[1]) run.push(p[0].toFixed(1) + "," + p[1].toFixed(1));
    else { if (run.length) parts.push("M" + run.join("L")); run = []; }
  }
  if (run.length) parts.push("M" + run.join("L"));
  return parts.join("");
}

// One figure: spec = {traces, xlog, ylog, xrange, yrange, xticks, xlabel, ylabel, title,
// hlines, vlines, keys, contours, top_rows}; hidden: the legend groups switched off.
function render(div, spec) {
  var hidden = div._hidden || (div._hidden = {});
  var traces = spec.traces || [];
  var legend = [], seen = {};
  traces.forEach(function (t) {
    var g = t.group || t.name;
    if (t.legend !== false && t.name && !seen[g]) {
      seen[g] = 1;
      legend.push({group: g, name: t.name, color: t.color});
    }
  });
  var keys = spec.keys || [], longest = 0;
  legend.concat(keys.map(function (k) { return {name: k.label}; })).forEach(function (l) {
    longest = Math.max(longest, String(l.name).length);
  });
  (spec.hlines || []).forEach(function (h) { longest = Math.max(longest, h.label.length); });
  var LW = Math.min(360, Math.max(110, longest * 6.3 + 34));
  var top = MT + (spec.title ? 18 : 0), W = ML + PW + 16 + LW, H = top + PH + MB;
  var vis = traces.filter(function (t) { return !hidden[t.group || t.name]; });
  function values(axis) {
    var out = [];
    vis.forEach(function (t) {
      if (axis === "y" && t.top !== undefined) return;
      [axis, axis === "y" ? "lo" : null, axis === "y" ? "hi" : null].forEach(function (k) {
        if (k && t[k]) out = out.concat(t[k]);
      });
    });
    (spec.hlines || []).forEach(function (h) { if (axis === "y") out.push(h.y); });
    if (axis === "x" && spec.xticks) spec.xticks.forEach(function (t) { out.push(t[0]); });
    return out;
  }
  var xr = extent(values("x"), spec.xlog), yr = extent(values("y"), spec.ylog);
  [[spec.xrange, xr], [spec.yrange, yr]].forEach(function (p) {  // fixed ends, either or both
    if (p[0]) [0, 1].forEach(function (k) { if (fin(p[0][k])) p[1][k] = p[0][k]; });
  });
  if (!(yr[1] > yr[0])) yr[1] = spec.ylog ? yr[0] * 10 : yr[0] + 1;
  if (!(xr[1] > xr[0])) xr[1] = spec.xlog ? xr[0] * 10 : xr[0] + 1;
  if (spec.top_rows) {  // room at the top for the markers of off-scale values (plotlib.headroom)
    var frac = 0.05 * spec.top_rows + 0.03;
    if (spec.ylog) yr[1] = yr[1] * Math.pow(yr[1] / yr[0], frac / (1 - frac));
    else yr[1] = yr[1] + (yr[1] - yr[0]) * frac / (1 - frac);
  }
  var sx = scale(xr[0], xr[1], spec.xlog, ML, ML + PW);
  var sy = scale(yr[0], yr[1], spec.ylog, top + PH, top);
  div.textContent = "";
  var svg = el("svg", {xmlns: NS, viewBox: "0 0 " + W + " " + H, width: W, height: H,
    "font-family": "DejaVu Sans, Arial, sans-serif", "font-size": 11}, div);
  el("rect", {x: 0, y: 0, width: W, height: H, fill: "#fff"}, svg);
  if (spec.title) el("text", {x: ML, y: 14, "font-size": 13}, svg, spec.title);
  var clipId = div.id + "-clip";
  var defs = el("defs", {}, svg), cp = el("clipPath", {id: clipId}, defs);
  el("rect", {x: ML, y: top - 1, width: PW, height: PH + 2}, cp);
  var axes = el("g", {}, svg);
  var xt = spec.xticks ? spec.xticks.filter(function (t) { return t[0] >= xr[0] && t[0] <= xr[1]; })
    : (spec.xlog ? logTicks(xr[0], xr[1]) : linTicks(xr[0], xr[1]));
  var yt = spec.ylog ? logTicks(yr[0], yr[1]) : linTicks(yr[0], yr[1]);
  xt.forEach(function (t) {
    var x = sx(t[0]);
    el("line", {x1: x, x2: x, y1: top, y2: top + PH, stroke: "#e5e5e5"}, axes);
    el("text", {x: x, y: top + PH + 15, "text-anchor": "middle", fill: "#333"}, axes, t[1]);
  });
  yt.forEach(function (t) {
    var y = sy(t[0]);
    el("line", {x1: ML, x2: ML + PW, y1: y, y2: y, stroke: "#e5e5e5"}, axes);
    el("text", {x: ML - 6, y: y + 4, "text-anchor": "end", fill: "#333"}, axes, t[1]);
  });
  el("rect", {x: ML, y: top, width: PW, height: PH, fill: "none", stroke: "#888"}, axes);
  el("text", {x: ML + PW / 2, y: top + PH + 36, "text-anchor": "middle"}, axes, spec.xlabel || "");
  el("text", {x: 16, y: top + PH / 2, "text-anchor": "middle",
    transform: "rotate(-90 16 " + (top + PH / 2) + ")"}, axes, spec.ylabel || "");
  var plot = el("g", {"clip-path": "url(#" + clipId + ")"}, svg);
  if (spec.contours) {
    var n = spec.contours.levels;
    spec.contours.lines.forEach(function (c) {
      var s = 0.35 + 0.55 * c.level / Math.max(1, n - 1);  // dark near the minimum
      var col = "rgb(" + Math.round(40 + 170 * s) + "," + Math.round(80 + 150 * s) + "," +
        Math.round(160 + 90 * s) + ")";
      el("path", {d: polyline(c.x.map(function (x, i) { return [sx(x), sy(c.y[i])]; })),
        fill: "none", stroke: col, "stroke-width": 0.7}, plot);
    });
  }
  (spec.vlines || []).forEach(function (v) {
    el("line", {x1: sx(v), x2: sx(v), y1: top, y2: top + PH, stroke: "#999",
      "stroke-dasharray": "2,3"}, plot);
  });
  (spec.hlines || []).forEach(function (h) {
    el("line", {x1: ML, x2: ML + PW, y1: sy(h.y), y2: sy(h.y), stroke: "#666",
      "stroke-dasharray": "6,4"}, plot);
  });
  var hits = [], drawn = [];
  vis.forEach(function (t) {
    var c = t.color || "#333";
    if (t.type === "band") {
      var seg = [], segs = [];
      for (var i = 0; i <= t.x.length; i++) {
        if (i < t.x.length && fin(sx(t.x[i])) && fin(sy(t.lo[i])) && fin(sy(t.hi[i]))) seg.push(i);
        else { if (seg.length) segs.push(seg); seg = []; }
      }
      segs.forEach(function (s) {
        var pts = s.map(function (i) { return [sx(t.x[i]), sy(t.hi[i])]; })
          .concat(s.slice().reverse().map(function (i) { return [sx(t.x[i]), sy(t.lo[i])]; }));
        el("path", {d: polyline(pts) + "Z", fill: c, "fill-opacity": 0.2, stroke: "none"}, plot);
      });
      drawn.push({name: t.name || t.group, group: t.group, role: "band", x: t.x, y: t.lo,
        y2: t.hi});
      return;
    }
    var pts = t.x.map(function (x, i) {
      var py = t.top !== undefined ? top + 8 + 11 * t.top : sy(t.y[i]);
      return [sx(x), py];
    });
    if (t.type === "line") {
      var line = pts;
      if (t.step) {  // steps after each point (where = "post")
        line = [];
        pts.forEach(function (p, i) { if (i) line.push([p[0], pts[i - 1][1]]); line.push(p); });
      }
      el("path", {d: polyline(line), fill: "none", stroke: c, "stroke-width": 1.7,
        "stroke-linejoin": "round"}, plot);
    }
    if (t.type === "markers" || t.markers) pts.forEach(function (p) {
      if (p[0] === p[0] && p[1] === p[1]) {
        marker(plot, t.symbol || "o", p[0], p[1], c, t.markers ? 3 : null);
      }
    });
    if (t.type === "errorbar") t.x.forEach(function (x, i) {
      var X = sx(x), lo = sy(t.lo[i]), hi = sy(t.hi[i]);
      el("path", {d: "M" + X + "," + lo + "V" + hi + "M" + (X - 3) + "," + lo + "H" + (X + 3) +
        "M" + (X - 3) + "," + hi + "H" + (X + 3), stroke: c, "stroke-width": 1.2,
        fill: "none"}, plot);
      marker(plot, t.symbol || "D", X, sy(t.y[i]), c);
    });
    pts.forEach(function (p, i) {
      if (p[0] === p[0] && p[1] === p[1]) hits.push({p: p, t: t, i: i});
    });
    drawn.push({name: t.name || t.group, group: t.group, role: t.role || t.type, x: t.x, y: t.y});
  });
  // Legend: clicking an entry hides or shows that method in this figure.
  var lg = el("g", {}, svg), ly = top + 6;
  legend.forEach(function (l) {
    var off = !!hidden[l.group];
    var g = el("g", {"class": "legend-item", "data-group": l.group, cursor: "pointer",
      opacity: off ? 0.35 : 1}, lg);
    el("line", {x1: ML + PW + 16, x2: ML + PW + 36, y1: ly, y2: ly, stroke: l.color,
      "stroke-width": 3}, g);
    el("text", {x: ML + PW + 42, y: ly + 4}, g, l.name);
    el("rect", {x: ML + PW + 12, y: ly - 8, width: LW, height: 16, fill: "none",
      "pointer-events": "all"}, g);
    g.addEventListener("click", function () {
      hidden[l.group] = !hidden[l.group];
      render(div, spec);
    });
    ly += 17;
  });
  (spec.hlines || []).forEach(function (h) {
    el("line", {x1: ML + PW + 16, x2: ML + PW + 36, y1: ly, y2: ly, stroke: "#666",
      "stroke-dasharray": "6,4"}, lg);
    el("text", {x: ML + PW + 42, y: ly + 4}, lg, h.label);
    ly += 17;
  });
  keys.forEach(function (k) {
    marker(lg, k.symbol, ML + PW + 26, ly, "#555");
    el("text", {x: ML + PW + 42, y: ly + 4}, lg, k.label);
    ly += 17;
  });
  // Hover: the nearest point's trace (its configuration) and values.
  var tip = document.createElement("div");
  tip.className = "tip";
  div.appendChild(tip);
  var dot = el("circle", {r: 4, fill: "none", stroke: "#000", "stroke-width": 1.2,
    visibility: "hidden", "class": "hover-dot"}, svg);
  svg.addEventListener("mousemove", function (ev) {
    var m = svg.getScreenCTM();
    if (!m) return;
    var pt = svg.createSVGPoint();
    pt.x = ev.clientX; pt.y = ev.clientY;
    var q = pt.matrixTransform(m.inverse()), best = null, bd = 900;
    for (var i = 0; i < hits.length; i++) {
      var dx = hits[i].p[0] - q.x, dy = hits[i].p[1] - q.y, d = dx * dx + dy * dy;
      if (d < bd) { bd = d; best = hits[i]; }
    }
    if (!best) { tip.style.display = "none"; dot.setAttribute("visibility", "hidden"); return; }
    var t = best.t, i = best.i;
    dot.setAttribute("cx", best.p[0]); dot.setAttribute("cy", best.p[1]);
    dot.setAttribute("visibility", "visible");
    var lines = [t.hover || t.name || ""];
    if (t.config) lines.push(t.config);
    if (t.t) lines.push(t.t[i]);
    lines.push((spec.xlabel || "x") + ": " + fmt(t.x[i]));
    if (t.top === undefined) lines.push((spec.ylabel || "y") + ": " + fmt(t.y[i]));
    tip.textContent = lines.join("\n");
    var box = div.getBoundingClientRect();
    tip.style.left = (ev.clientX - box.left + 14) + "px";
    tip.style.top = (ev.clientY - box.top + 10) + "px";
    tip.style.display = "block";
  });
  svg.addEventListener("mouseleave", function () {
    tip.style.display = "none";
    dot.setAttribute("visibility", "hidden");
  });
  div.data = drawn;
  div.spec = spec;
  updateLinks(div);
}
function svgText(div) {
  var svg = div.querySelector("svg");
  var copy = svg.cloneNode(true);
  var dot = copy.querySelector(".hover-dot");
  if (dot) dot.parentNode.removeChild(dot);
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy);
}
function updateLinks(div) {
  document.querySelectorAll('a[data-svg-for="' + div.id + '"]').forEach(function (a) {
    a.href = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgText(div));
  });
}

// Convergence curves: the figure of the selected x and y.
function curveSpec(c, x, y, logx, logy) {
  var e = c.x[c.alias[x] || x], traces = [];
  e.series[y].forEach(function (s) {
    var label = s.label + " (" + s.seeds + " seeds)";
    traces.push({type: "band", group: s.optimizer, color: s.color, x: e.grid,
      lo: s.q25 || s.median, hi: s.q75 || s.median});
    traces.push({type: "line", name: s.label, group: s.optimizer, color: s.color, x: e.grid,
      y: s.median, hover: label, config: s.config, role: "median"});
  });
  var spec = {traces: traces, xlog: logx, ylog: logy, xlabel: c.xlabels[x], ylabel: c.ylabels[y]};
  if (logy && c.logy[y] && e.yrange[y]) spec.yrange = e.yrange[y];
  if (c.target[y]) spec.hlines = [c.target[y]];
  return spec;
}
function drawCurves(c, changed) {
  var div = document.getElementById(c.id);
  var xs = document.getElementById(c.id + "-x"), ys = document.getElementById(c.id + "-y");
  var lx = document.getElementById(c.id + "-logx"), ly = document.getElementById(c.id + "-logy");
  var x = xs.value, y = ys.value;
  if (changed === "x") lx.checked = c.x[c.alias[x] || x].log;
  if (changed === "y") ly.checked = c.logy[y];
  render(div, curveSpec(c, x, y, lx.checked, ly.checked));
}
DATA.curves.forEach(function (c) {
  ["x", "y", "logx", "logy"].forEach(function (role) {
    document.getElementById(c.id + "-" + role).addEventListener("change", function () {
      drawCurves(c, role);
    });
  });
  drawCurves(c, null);
});
Object.keys(DATA.figures).forEach(function (id) {
  render(document.getElementById(id), DATA.figures[id]);
});
function drawProfiles() {
  var sel = document.getElementById("profiles-metric");
  if (!sel) return;
  var p = DATA.profiles.metrics[sel.value];
  render(document.getElementById("profiles-perf"), p.perf);
  render(document.getElementById("profiles-data"), p.data);
}
if (DATA.profiles && DATA.profiles.metrics) {
  document.getElementById("profiles-metric").addEventListener("change", drawProfiles);
  drawProfiles();
}
// Tables: a metric selector, and sorting by a header's column (numbers by data-value).
var tsel = document.getElementById("table-metric");
if (tsel) tsel.addEventListener("change", function () {
  document.querySelectorAll("table.results").forEach(function (t) {
    t.hidden = t.dataset.metric !== tsel.value;
  });
});
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (th) {
    th.addEventListener("click", function () {
      var col = +th.dataset.col, up = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      function key(r) {
        var c = r.cells[col], v = c.dataset.value;
        if (v === undefined) return c.textContent;
        return v === "" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : +v;
      }
      rows.sort(function (a, b) {
        var p = key(a), q = key(b);
        if (typeof p === "string") return (up ? 1 : -1) * p.localeCompare(q);
        if (p !== p) return q !== q ? 0 : 1;  // empty cells last, either way
        if (q !== q) return -1;
        return (up ? 1 : -1) * (p < q ? -1 : p > q ? 1 : 0);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
document.querySelectorAll("a.svg").forEach(function (a) {
  a.addEventListener("click", function () {
    var div = document.getElementById(a.dataset.svgFor);
    if (div && div.querySelector("svg")) updateLinks(div);
  });
});
window.reportReadyAt = performance.now();
window.reportReady = true;
document.body.setAttribute("data-ready", "true");
})();
"""


if __name__ == "__main__":
    pl.main_guard(main)
