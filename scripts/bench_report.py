#!/usr/bin/python3
"""How big and how fast the report of a large sweep is: makes a sweep of 10,000 runs (four 2-D
problems × five optimizers × 50 random learning rates × 10 seeds, 200 steps each, the default
100 logging points: about a million trace rows), builds its report.html with scripts/report.py,
and loads it three times in headless Chromium (the DevTools protocol, as scripts/test_report.py
drives it), timing from navigation start to the moment the page says every figure is drawn
(window.reportReadyAt, the page's own clock). Prints the machine, the size in MB and the median
time, and exits 1 when the page is 5 MB or more or takes 3 s or more (77: no Chromium or
websocket module, as the test).

    /usr/bin/python3 scripts/bench_report.py [--exe build/descent] [--work DIR] [--keep]"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_report  # noqa: E402  (its Chromium driver)

MAX_MB, MAX_S, LOADS = 5.0, 3.0, 3

OPTIMIZERS = {"sgd": "", "momentum": "momentum = 0.9\n", "nesterov": "momentum = 0.9\n",
              "rmsprop": "", "adam": ""}
EXPERIMENT = ('name = "bench-report"\n'
              'problems = ["rosenbrock", "beale", "saddle", "quadratic:dim=2,cond=100,rotate=1"]\n'
              "seeds = 10\nbudget = { iters = 200 }\ntarget = { gap = 1e-3 }\n"
              'tune = { metric = "iters_to_target", stat = "median" }\n'
              'search = { method = "random", samples = 50 }\n'
              + "".join(f"\n[optimizers.{o}]\nlr = {{ loguniform = [1e-4, 1.0] }}\n{extra}"
                        for o, extra in OPTIMIZERS.items()))
RUNS = 4 * len(OPTIMIZERS) * 50 * 10


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        return "unknown (no lscpu)"
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exe", default=os.environ.get("DESCENT_EXE",
                                                    os.path.join(HERE, "..", "build", "descent")),
                    help="descent binary (default: $DESCENT_EXE, else build/descent)")
    ap.add_argument("--work", help="folder for the sweep and the report (default: a new "
                    "temporary folder, removed at the end)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    why = test_report.missing_tools()
    if why:
        print(f"skipped: {why}")
        return test_report.SKIP
    if not os.path.isfile(args.exe):
        print(f"error: --exe {args.exe}: no such file", file=sys.stderr)
        return 2
    exe = os.path.abspath(args.exe)
    work = args.work or tempfile.mkdtemp(prefix="descent-bench-report-")
    os.makedirs(work, exist_ok=True)
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs")
    try:
        toml = os.path.join(work, "bench-report.toml")
        with open(toml, "w") as f:
            f.write(EXPERIMENT)
        sweep = os.path.join(work, "bench-report")
        shutil.rmtree(sweep, ignore_errors=True)
        start = time.monotonic()
        r = subprocess.run([exe, "sweep", toml, "--out", sweep, "--quiet", "--threads",
                            str(args.threads)], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"error: descent sweep: {r.stderr.strip()}", file=sys.stderr)
            return 2
        with open(os.path.join(sweep, "runs.csv")) as f:
            runs = sum(1 for _ in f) - 1
        with open(os.path.join(sweep, "traces.csv")) as f:
            rows = sum(1 for _ in f) - 1
        print(f"sweep: {runs:,} runs, {rows:,} trace rows, "
              f"{os.path.getsize(os.path.join(sweep, 'traces.csv')) / 1e6:.0f} MB of traces.csv, "
              f"{time.monotonic() - start:.1f} s")
        assert runs == RUNS, f"{runs} runs, not {RUNS}"
        start = time.monotonic()
        r = subprocess.run([sys.executable, os.path.join(HERE, "report.py"), sweep, "--exe",
                            exe], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"error: report.py: {r.stderr.strip()}", file=sys.stderr)
            return 2
        page = os.path.join(sweep, "report.html")
        mb = os.path.getsize(page) / 1e6
        print(f"report: {page}: {mb:.2f} MB, made in {time.monotonic() - start:.1f} s")
        browser = test_report.Chromium()
        try:
            times = []
            for i in range(LOADS):
                ms, wall = browser.load(page)
                times.append(ms / 1000)
                print(f"  load {i + 1}: {ms / 1000:.3f} s from navigation start to every figure "
                      f"drawn ({wall / 1000:.3f} s wall clock from Page.navigate)")
            figures = browser.eval("document.querySelectorAll('.plot svg').length")
            errors = browser.errors()
        finally:
            browser.close()
        median = statistics.median(times)
        print(f"figures drawn: {figures}; console errors: {len(errors)}")
        print(f"size {mb:.2f} MB (limit {MAX_MB:g}), load and render {median:.3f} s, median of "
              f"{LOADS} (limit {MAX_S:g})")
        ok = mb < MAX_MB and median < MAX_S and not errors
        print("ok" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        if args.work is None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif args.work is None:
            print(f"kept: {work}")


if __name__ == "__main__":
    sys.exit(main())
