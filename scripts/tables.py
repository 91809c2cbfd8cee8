#!/usr/bin/python3
"""Turns a sweep's best.csv into a Markdown table: one row per optimizer, one column per problem;
a cell is the median of the metric across seeds [25–75 %] (success rate), for each optimizer's
best configuration. The best median of each column is bold; "—" marks a metric the problem does
not have (an empty cell in best.csv: no test set, no known optimum, no target).

With --budget 0,1,4,32 it prints what tuning buys instead (budget.csv, random search): one table
per problem, one row per optimizer, one column per k; a cell is the median across seeds
[25–75 %] of the expected best tune metric when only k random configurations are tried (Dodge
et al. 2019), k = 0 the default hyperparameters alone."""
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


def parse_budgets(text):
    """'0,1,4,32' → [0, 1, 4, 32]."""
    try:
        ks = [int(k) for k in text.split(",")]
    except ValueError:
        ks = []
    if not ks or any(k < 0 for k in ks):
        raise pl.InputError(f"--budget '{text}': expected k values such as 0,1,4,32 (whole "
                            "numbers; 0: the default hyperparameters)")
    return list(dict.fromkeys(ks))


def check_budgets(budget, ks, path):
    """Every k asked for is in budget.csv, else an error saying what to change."""
    have = sorted(set(budget["k"]))
    fewest = int(budget["configurations"][budget["k"] > 0].min()) if (budget["k"] > 0).any() \
        else 0
    for k in ks:
        if k in have:
            continue
        if k == 0:
            raise pl.InputError(f"--budget k = 0 (no tuning): {path} has no default runs; set "
                                "defaults = true in the experiment's search = { ... }")
        if k > fewest:
            raise pl.InputError(f"--budget k = {k} exceeds the {fewest} configurations "
                                f"searched ({path}); lower k or raise search.samples")
        listed = ", ".join(str(h) for h in have if h > 0)
        raise pl.InputError(f"--budget k = {k}: {path} has k = {listed}; add {k} to "
                            "search.budgets (or pick one of these)")


def budget_cell(row, metric, cols):
    """'median [q25–q75]' of one k; '∞' when the median is infinite, '—' when empty."""
    median, q25, q75 = row["median"], row["q25"], row["q75"]
    if math.isnan(median):
        return "—"
    if math.isinf(median):
        return pl.fmt_sig(median)
    return (f"{number(median, metric, cols)} [{number(q25, metric, cols)}–"
            f"{number(q75, metric, cols)}]")


def build_budget_tables(budget, ks, metric, cols):
    heading = ["optimizer", "N"] + ["default" if k == 0 else f"k = {k}" for k in ks]
    parts = []
    for problem in dict.fromkeys(budget["problem"]):
        sub = budget[budget["problem"] == problem]
        optimizers = list(dict.fromkeys(sub["optimizer"]))
        cells = {o: ["—"] * len(ks) for o in optimizers}
        for j, k in enumerate(ks):
            at = sub[sub["k"] == k].drop_duplicates("optimizer")
            finite = at["median"][at["median"].abs() < math.inf]
            top = (finite.max() if metric in cols.maximized else finite.min()) \
                if len(finite) else None
            for _, r in at.iterrows():
                text = budget_cell(r, metric, cols)
                cells[r["optimizer"]][j] = f"**{text}**" if r["median"] == top else text
        sizes = {o: sub[(sub["optimizer"] == o) & (sub["k"] > 0)]["configurations"]
                 for o in optimizers}
        rows = [[o, str(int(sizes[o].iloc[0])) if len(sizes[o]) else "—"] + cells[o]
                for o in optimizers]
        try:
            table = pd.DataFrame(rows, columns=heading).to_markdown(
                index=False, disable_numparse=True,
                colalign=["left"] + ["right"] * (len(heading) - 1))
        except ImportError:
            raise pl.InputError("python3-tabulate is not installed (run scripts/setup.sh)")
        parts.append(f"`{problem}`\n\n{table}\n")
    return "\n".join(parts)


def budget_text(args, name, cols):
    ks = parse_budgets(args.budget)
    budget, path = pl.load_budget(args.dir, cols)
    metric = budget["metric"].iloc[0] if len(budget) else "final_loss"
    if args.metric is not None and args.metric != metric:
        raise pl.InputError(f"--metric {args.metric}: {path} holds the tune metric, {metric}, "
                            "only (set tune = { metric = ... } and run the sweep again)")
    check_budgets(budget, ks, path)
    seeds = "/".join(dict.fromkeys(budget["seeds"].astype(int).astype(str)))
    failed = ("∞: the k tried may all miss the target" if metric in cols.to_target
              else "a failed run counts as its value at the start point")
    return (f"{name}: what tuning buys: the expected best {metric} when only k random-search "
            f"configurations of N are tried (Dodge et al. 2019), median over {seeds} seeds "
            f"[25–75 %]; default: the default hyperparameters alone; {failed}; best in "
            "bold.\n\n"
            + build_budget_tables(budget, ks, metric, cols))


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
    ap.add_argument("--marker", help="NAME in the markers (default: DIR's name; with --budget, "
                    "<DIR name>-budget)")
    ap.add_argument("--budget", metavar="K,K,...", help="what tuning buys instead (budget.csv, "
                    "random search): the expected best tune metric after k configurations, at "
                    "these k (0: the default hyperparameters); written to "
                    "DIR/../tables/<DIR name>_budget.md by default")
    args = ap.parse_args()

    name = pl.experiment_name(args.dir)
    cols = pl.columns(args.dir)
    if args.budget is not None:
        text = budget_text(args, name, cols)
        out = args.out or os.path.join(pl.default_out(args.dir, "tables"), f"{name}_budget.md")
        if args.readme:
            replace_between_markers(args.readme, args.marker or f"{name}-budget", text)
        pl.write_text(out, text)
        sys.stdout.write(text)
        return
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
