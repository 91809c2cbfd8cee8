#!/usr/bin/python3
"""Runs benchmarks of descent_bench in several fresh processes and reports each one's spread
across them.

Google Benchmark's repetitions all run in one process, so they share its memory layout. A
nanosecond-scale benchmark such as BM_RunLoop (a 2-D step, a chain of dependent latencies
through memory) can differ by a few nanoseconds from one process to the next and stay put
within each; only fresh processes show that spread.

    scripts/bench_processes.py [--exe build/descent_bench] [--filter REGEX] [--processes 10]
                               [--counter ns_per_step] [--out FILE.json] [-- BENCH ARGS...]

Each process runs the filter with 3 repetitions; its value for a benchmark is the median of
those. The table shows, per benchmark, the median, minimum and maximum over processes and the
values in order. --out writes them as JSON (through a temporary file). Exit status 2 on bad
input: a missing executable, a filter that matches nothing, a counter a benchmark lacks.
"""
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from scriptlib import InputError, Parser, write_text  # noqa: E402


def parse_args(argv):
    p = Parser(description=__doc__.split("\n\n")[0])
    p.add_argument("--exe", default=os.path.join(HERE, "..", "build", "descent_bench"))
    p.add_argument("--filter", default="BM_BareLoop|BM_CallLoop|BM_RunLoop")
    p.add_argument("--processes", type=int, default=10)
    p.add_argument("--counter", default="ns_per_step",
                   help="counter to report (default ns_per_step); real_time or cpu_time in ns")
    p.add_argument("--out", help="write the values per process as JSON")
    p.add_argument("bench_args", nargs="*", help="passed on to descent_bench (after --)")
    a = p.parse_args(argv)
    if a.processes < 1:
        raise InputError(f"--processes must be >= 1, got {a.processes}")
    if not (os.path.isfile(a.exe) and os.access(a.exe, os.X_OK)):
        raise InputError(f"{a.exe}: no such executable (build with scripts/build.sh)")
    if a.out and not os.path.isdir(os.path.dirname(os.path.abspath(a.out))):
        raise InputError(f"--out {a.out}: no such directory")
    for arg in a.bench_args:
        if arg.startswith(("--benchmark_format", "--benchmark_repetitions",
                           "--benchmark_report_aggregates_only", "--benchmark_filter")):
            raise InputError(f"{arg}: set by this script (see --filter)")
    return a


def one_process(a):
    """{benchmark: the median of its repetitions} from one fresh process."""
    cmd = [a.exe, f"--benchmark_filter={a.filter}", "--benchmark_repetitions=3",
           "--benchmark_report_aggregates_only=true", "--benchmark_format=json", *a.bench_args]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["no message"])[-1]
        raise InputError(f"{a.exe} failed (exit status {run.returncode}): {last}")
    values = {}
    try:
        benchmarks = json.loads(run.stdout)["benchmarks"] if run.stdout.strip() else []
    except (ValueError, KeyError, TypeError):
        raise InputError(f"{a.exe} did not write Google Benchmark JSON") from None
    for b in benchmarks:
        if b.get("aggregate_name") != "median":
            continue
        if a.counter not in b:
            raise InputError(f"benchmark {b['run_name']} has no counter '{a.counter}'")
        values[b["run_name"]] = b[a.counter] * to_ns(a.counter, b)
    if not values:
        raise InputError(f"no benchmark matches the filter '{a.filter}'")
    return values


def to_ns(counter, b):
    """The factor to nanoseconds: times come in the benchmark's unit, ns_per_step (a counter
    with kInvert) in seconds; other counters are shown as they are."""
    if counter in ("real_time", "cpu_time"):
        return {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
    return 1e9 if counter == "ns_per_step" else 1


def main(argv):
    a = parse_args(argv)
    per_process = [one_process(a) for _ in range(a.processes)]
    names = list(per_process[0])
    table = {n: [p[n] for p in per_process] for n in names}
    unit = "ns" if a.counter in ("ns_per_step", "real_time", "cpu_time") else ""
    width = max(len(n) for n in names)
    print(f"{'benchmark':<{width}}  median     min     max  ({a.counter} over {a.processes} "
          f"processes, each the median of 3 repetitions)")
    for n, v in table.items():
        values = " ".join(f"{x:.4g}" for x in v)
        print(f"{n:<{width}}  {statistics.median(v):6.4g}  {min(v):6.4g}  {max(v):6.4g}  "
              f"{unit} [{values}]")
    if a.out:
        medians = {n: statistics.median(v) for n, v in table.items()}
        data = {"counter": a.counter, "processes": a.processes, "filter": a.filter,
                "values": table, "median": medians}
        write_text(a.out, json.dumps(data, indent=1) + "\n")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
