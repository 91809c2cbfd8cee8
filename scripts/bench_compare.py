#!/usr/bin/python3
"""Compares two Google Benchmark JSON files (scripts/bench.sh) benchmark by benchmark.

Each time is first divided by a calibration kernel measured in the same run, so that a run on
a loaded or slower machine is not mistaken for a regression:

  1. a benchmark whose name ends in /N (N an integer, e.g. BM_Step/adam/double/4096) is
     divided by the STREAM triad at the same N, BM_Triad<float>/N when its name contains
     `float`, else BM_Triad<double>/N;
  2. every other benchmark is divided by --calibration (default: the 64×64×64 matrix product
     BM_Gemm/m:64/k:64/n:64), or, when a run lacks it, by the largest double triad;
  3. the calibration kernels themselves are shown raw and never fail.

A benchmark without its calibration in both files is compared raw (marked `raw`). Times are
CPU times, except for benchmarks measured in real time (names ending in /real_time), and the
median of repetitions when the file has them (--benchmark_repetitions). `ratio` is the
calibrated new/base: above 1 + threshold the benchmark counts as slower and the exit status
is 1. Benchmarks present in only one file are listed and do not fail.
Exit status: 0 no regression, 1 a regression, 2 bad input."""
import argparse
import json
import os
import re
import signal
import statistics
import sys

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scriptlib import InputError, Parser  # noqa: E402

UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
CALIBRATION = re.compile(r"^BM_(Triad|Gemm)\b")
DEFAULT_CALIBRATION = "BM_Gemm/m:64/k:64/n:64"


def entry_seconds(entry, path):
    """The measured time of one JSON entry in seconds (real time if the benchmark uses it)."""
    run_name = entry.get("run_name", entry["name"])  # aggregates append _median to the name
    key = "real_time" if run_name.endswith("/real_time") else "cpu_time"
    unit = entry.get("time_unit", "ns")
    if unit not in UNIT_SECONDS or not isinstance(entry.get(key), (int, float)):
        raise InputError(f"{path}: benchmark '{entry['name']}' has no usable {key}")
    return entry[key] * UNIT_SECONDS[unit]


def load(path):
    """Benchmark name -> seconds (median of repetitions), and the run's context."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise InputError(f"{path}: {e.strerror}")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not a JSON file ({e})")
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise InputError(f"{path}: no 'benchmarks' list (not Google Benchmark JSON output)")
    medians, samples = {}, {}
    for e in data["benchmarks"]:
        if not isinstance(e, dict) or "name" not in e:
            raise InputError(f"{path}: a benchmark entry without a name")
        if e.get("error_occurred"):
            continue
        base = e.get("run_name", e["name"])
        if e.get("run_type") == "aggregate":
            if e.get("aggregate_name") == "median":
                medians[base] = entry_seconds(e, path)
        else:
            samples.setdefault(base, []).append(entry_seconds(e, path))
    times = {name: statistics.median(v) for name, v in samples.items()}
    times.update(medians)
    if not times:
        raise InputError(f"{path}: no benchmark results")
    return times, data.get("context", {})


def largest_triad(times):
    triads = [(int(m.group(1)), name) for name in times
              if (m := re.fullmatch(r"BM_Triad<double>/(\d+)", name))]
    return max(triads)[1] if triads else None


def calibration_of(name, times, default):
    """The calibration kernel for `name` in one run (the rule in the module docstring)."""
    if CALIBRATION.match(name):
        return None
    size = re.search(r"/(\d+)$", name)
    if size:
        scalar = "float" if "float" in name else "double"
        triad = f"BM_Triad<{scalar}>/{size.group(1)}"
        if triad in times:
            return triad
    return default if default in times else largest_triad(times)


def human(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.4g} {unit}"
    return f"{seconds / 1e-9:.4g} ns"


def compare_row(name, base, new, default, threshold):
    cal_b, cal_n = calibration_of(name, base, default), calibration_of(name, new, default)
    raw = new[name] / base[name]
    if CALIBRATION.match(name):
        calibration, ratio, verdict = "(calibration)", raw, ""
    elif cal_b and cal_b == cal_n:
        calibration = cal_b
        ratio = (new[name] / new[cal_n]) / (base[name] / base[cal_b])
        verdict = "SLOWER" if ratio > 1 + threshold else ""
    else:
        calibration, ratio = "raw", raw
        verdict = "SLOWER" if ratio > 1 + threshold else ""
    return [name, human(base[name]), human(new[name]), f"{raw:.3f}", calibration,
            f"{ratio:.3f}", verdict]


def context_line(label, path, context):
    load_avg = context.get("load_avg")
    load_text = " ".join(f"{x:.2f}" for x in load_avg) if load_avg else "unknown"
    return (f"{label}: {path} ({context.get('date', 'no date')}, {context.get('num_cpus', '?')} "
            f"CPUs, load {load_text})")


def parse_args():
    ap = Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base", help="baseline JSON (descent_bench --benchmark_out)")
    ap.add_argument("new", help="new JSON")
    ap.add_argument("--threshold", type=float, default=0.15,
                    help="calibrated slowdown that fails, as a fraction (default 0.15)")
    ap.add_argument("--calibration", default=DEFAULT_CALIBRATION,
                    help=f"calibration of benchmarks without /N (default {DEFAULT_CALIBRATION})")
    args = ap.parse_args()
    if not args.threshold > 0:
        raise InputError(f"--threshold {args.threshold}: must be > 0")
    return args


def main():
    args = parse_args()
    base, base_context = load(args.base)
    new, new_context = load(args.new)
    print(context_line("base", args.base, base_context))
    print(context_line("new ", args.new, new_context))
    common = [n for n in base if n in new]
    rows = [compare_row(n, base, new, args.calibration, args.threshold) for n in common]
    table = pd.DataFrame(rows, columns=["benchmark", "base", "new", "raw ratio", "calibrated by",
                                        "ratio", ""])
    print(table.to_markdown(index=False, disable_numparse=True,
                            colalign=["left", "right", "right", "right", "left", "right",
                                      "left"]))
    for label, only in (("base", [n for n in base if n not in new]),
                        ("new", [n for n in new if n not in base])):
        if only:
            print(f"only in {label} ({len(only)}): {', '.join(only)}")
    slower = [r[0] for r in rows if r[-1]]
    if slower:
        print(f"{len(slower)} slower than the baseline by more than {args.threshold:.0%}: "
              f"{', '.join(slower)}")
        return 1
    print(f"no benchmark slower than the baseline by more than {args.threshold:.0%}")
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    try:
        sys.exit(main())
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except ImportError as e:  # DataFrame.to_markdown needs tabulate
        print(f"error: {e.msg or e} (run scripts/setup.sh)", file=sys.stderr)
        sys.exit(2)
