#!/usr/bin/python3
"""Turns a sweep's best.csv into a Markdown table: one row per optimizer, one column per problem;
a cell is the median of the metric across seeds [25–75 %] (success rate), for each optimizer's
best configuration. The best median of each column is bold; "—" marks a metric the problem does
not have (an empty cell in best.csv: no test set, no known optimum, no target)."""
import argparse
import math
import os
import re
import sys

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib as pl  # noqa: E402


def number(v, metric, cols):
    if math.isinf(v):
        return pl.fmt_sig(v)
    if metric in cols.integer:  # counts: shown as whole numbers
        return str(math.floor(v + 0.5))  # half up: Python's round(696.5) is 696
    return pl.fmt_sig(v)


def cell(row, metric, cols):
    """'median [q25–q75] (success rate)', from best.csv's summary stats in meta.json's order
    (the median, then the quartiles)."""
    median, q25, q75 = (row[f"{metric}_{q}"] for q in cols.stats)
    rate = f"({math.floor(100 * row['success_rate'] + 0.5)}%)"
    if math.isnan(median):
        return "—"  # an empty cell: the problem has no such metric (no test set, no f*, no target)
    if metric in cols.maximized and median == -math.inf:
        return f"— {rate}"  # no accuracy: every run failed
    if math.isinf(median):
        return f"∞ {rate}"
    return (f"{number(median, metric, cols)} [{number(q25, metric, cols)}–"
            f"{number(q75, metric, cols)}] {rate}")


def build_table(best, metric, path, cols):
    for q in cols.stats:
        best[f"{metric}_{q}"] = pl.numeric(best, f"{metric}_{q}", path)
    median = f"{metric}_{cols.stats[0]}"
    best["success_rate"] = pl.numeric(best, "success_rate", path)
    problems = list(dict.fromkeys(best["problem"]))
    optimizers = list(dict.fromkeys(best["optimizer"]))
    rows = {o: {p: "—" for p in problems} for o in optimizers}
    for p in problems:
        sub = best[best["problem"] == p].drop_duplicates("optimizer")
        medians = sub[median]
        finite = medians[medians.abs() < math.inf]  # neither ±∞ nor empty
        top = (finite.max() if metric in cols.maximized else finite.min()) if len(finite) else None
        for _, r in sub.iterrows():
            text = cell(r, metric, cols)
            rows[r["optimizer"]][p] = f"**{text}**" if r[median] == top else text
    table = pd.DataFrame([[o] + [rows[o][p] for p in problems] for o in optimizers],
                         columns=["optimizer"] + problems)
    try:
        return table.to_markdown(index=False, disable_numparse=True,
                                 colalign=["left"] + ["right"] * len(problems))
    except ImportError:
        raise pl.InputError("python3-tabulate is not installed (run scripts/setup.sh)")


def replace_between_markers(readme, marker, text):
    begin, end = f"<!-- table:{marker}:begin -->", f"<!-- table:{marker}:end -->"
    try:
        with open(readme, encoding="utf-8") as f:
            content = f.read()
    except OSError as e:
        raise pl.InputError(f"{readme}: {e.strerror}")
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(content):
        raise pl.InputError(f"{readme}: markers '{begin}' … '{end}' not found")
    pl.write_text(readme, pattern.sub(lambda _: f"{begin}\n{text}{end}", content, count=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dir", help="sweep output directory (holds best.csv)")
    ap.add_argument("--metric", help="a metric best.csv summarizes (meta.json lists them; "
                    "default: the experiment's tune metric, best.csv's tune_metric)")
    ap.add_argument("--out", help="Markdown file (default: DIR/../tables/<DIR name>.md)")
    ap.add_argument("--readme", help="also put the table into this file between the markers "
                    "<!-- table:NAME:begin --> and <!-- table:NAME:end -->")
    ap.add_argument("--marker", help="NAME in the markers (default: DIR's name)")
    args = ap.parse_args()

    name = pl.experiment_name(args.dir)
    cols = pl.columns(args.dir)
    if args.metric is not None:
        pl.check_name(args.metric, cols.metrics, "--metric", args.dir)
    best, path = pl.load_best(args.dir, cols,
                              ["seeds", "success_rate", "tune_metric", "tune_stat"])
    metric = args.metric
    if metric is None:
        metric = best["tune_metric"].iloc[0] if len(best) else "final_loss"
        if metric not in cols.metrics:  # e.g. best_loss: best.csv has no quartiles for it
            print(f"tables: best.csv has no quartiles of the tune metric '{metric}'; "
                  "showing final_loss", file=sys.stderr)
            metric = "final_loss"
    for q in cols.stats:
        if f"{metric}_{q}" not in best.columns:
            raise pl.InputError(f"{path}: missing column '{metric}_{q}'")
    seeds = "/".join(dict.fromkeys(best["seeds"].astype(str)))
    text = (f"{name}: median {metric} over {seeds} seeds [25–75 %] (success rate) of each "
            f"optimizer's best configuration (tuned by {best['tune_stat'].iloc[0]} "
            f"{best['tune_metric'].iloc[0]}); ∞: not reached (or failed); best in bold.\n\n"
            + build_table(best, metric, path, cols) + "\n")

    out = args.out or os.path.join(pl.default_out(args.dir, "tables"), f"{name}.md")
    if args.readme:  # check the README before writing anything
        replace_between_markers(args.readme, args.marker or name, text)
    pl.write_text(out, text)
    sys.stdout.write(text)


if __name__ == "__main__":
    pl.main_guard(main)
