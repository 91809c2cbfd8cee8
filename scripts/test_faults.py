#!/usr/bin/python3
"""Fault scenarios against the built `descent` (ctest `faults`): what a sweep promises when it is
killed, runs out of disk, meets a second sweep, a torn row, a FIFO or hostile input.

1. kill -9 at random moments, 20 times, each followed by `--resume`, on a sweep with large
   traces: the final files equal an uninterrupted sweep's, timing columns aside.
2. A torn last row (a row cut inside its last field, as a kill or a full disk leaves it) in
   runs.partial.csv and in traces.partial.csv: --resume drops it, re-runs that run, and the result
   equals the uninterrupted sweep; a deleted traces.partial.csv re-runs the runs it held.
3. A second sweep on a folder a sweep holds fails at once, naming the process that holds it.
4. A full disk (a 1 MiB tmpfs; skipped with a message where it cannot be mounted): exit status 1,
   one error line naming the file and "No space left on device", no result file left half-written.
5. Hostile input: each case one `error:` line and exit status 2 within 10 s (FIFO, /dev/zero,
   sizes past their limits, numbers that wrap, keys that were never checked, paths).
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib as pl  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.abspath(os.environ.get("DESCENT_EXE", os.path.join(ROOT, "build", "descent")))

# 48 runs with 2,000 logged points each (about 100,000 trace rows), a few seconds in all.
EXPERIMENT = """name = "faults"
problems = ["quadratic:dim=10,cond=100", "rosenbrock"]
seeds = 2
budget = { iters = 20000 }
log = { every = 10 }
tune = { metric = "final_loss", stat = "median" }

[optimizers.sgd]
lr = { logspace = [1e-4, 1e-2], n = 4 }

[optimizers.adam]
lr = { logspace = [1e-3, 1e-1], n = 4 }

[optimizers.momentum]
lr = { logspace = [1e-4, 1e-2], n = 4 }
"""


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def run(args, check=True, timeout=120):
    p = subprocess.run([EXE, *args], capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        fail(f"descent {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p


def sweep(exp, out, *extra):
    return run(["sweep", exp, "--out", out, "--quiet", "--threads", "2", *extra])


def same(reference, other):
    import pandas as pd
    timing = pl.columns(reference).timing
    is_timing = lambda c: any(c == t or c.startswith(t + "_") for t in timing)  # noqa: E731
    for name in ("runs.csv", "traces.csv", "best.csv"):
        a = pd.read_csv(os.path.join(reference, name), dtype=str)
        b = pd.read_csv(os.path.join(other, name), dtype=str)
        keep = [c for c in a.columns if not is_timing(c)]
        if list(a.columns) != list(b.columns) or not a[keep].equals(b[keep]):
            return f"{name} differs"
    return None


def finished(out):
    """Every file written (meta.json last) and the partial files gone (removed after it)."""
    return os.path.exists(os.path.join(out, "meta.json")) and \
        not os.path.exists(os.path.join(out, "runs.partial.csv"))


def kills(exp, work, reference):
    out = os.path.join(work, "killed")
    rng = random.Random(7)
    killed = 0
    for _ in range(60):
        args = [EXE, "sweep", exp, "--out", out, "--quiet", "--threads", "2"]
        if os.path.exists(os.path.join(out, "runs.partial.csv")):
            args.append("--resume")
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.02, 0.4))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            killed += 1
        p.wait()
        if p.returncode not in (0, -signal.SIGKILL):
            fail(f"a resumed sweep exited {p.returncode}: {p.stderr.read()}")
        if killed >= 20:
            break
        if p.returncode == 0:  # finished before the kill: start over
            shutil.rmtree(out)
    if killed < 20:
        fail(f"only {killed} kills landed")
    if not finished(out):
        sweep(exp, out, "--resume")
    why = same(reference, out)
    if why:
        fail(f"after {killed} kills and resumes: {why}")
    print(f"kill -9: {killed} kills, each resumed; the files equal the uninterrupted sweep's")


def interrupted_copy(exp, work, name, runs=20):
    """A folder holding the first `runs` finished runs of the sweep, as a kill leaves it."""
    out = os.path.join(work, name)
    p = subprocess.Popen([EXE, "sweep", exp, "--out", out, "--quiet", "--threads", "1"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = os.path.join(out, "runs.partial.csv")
    while p.poll() is None:
        if os.path.exists(partial) and sum(1 for _ in open(partial)) > runs:
            p.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    p.wait()
    if os.path.exists(os.path.join(out, "runs.csv")):
        fail("the sweep finished before it could be interrupted")
    return out


def torn_rows(exp, work, reference):
    for name, cut in (("runs.partial.csv", 3), ("traces.partial.csv", 5)):
        out = interrupted_copy(exp, work, "torn-" + name)
        path = os.path.join(out, name)
        with open(path, "rb+") as f:  # cut the last row inside its last field
            size = f.seek(0, 2)
            f.truncate(size - cut)
        sweep(exp, out, "--resume")
        why = same(reference, out)
        if why:
            fail(f"a torn last row of {name}: {why} after --resume")
    out = interrupted_copy(exp, work, "no-traces")
    os.remove(os.path.join(out, "traces.partial.csv"))
    sweep(exp, out, "--resume")
    why = same(reference, out)
    if why:
        fail(f"a deleted traces.partial.csv: {why} after --resume")
    print("torn rows in either partial file and a deleted traces file: resumed to equal files")


def concurrent(exp, work):
    out = os.path.join(work, "concurrent")
    first = subprocess.Popen([EXE, "sweep", exp, "--out", out, "--quiet", "--threads", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lock = os.path.join(out, ".lock")
    while not (os.path.exists(lock) and os.path.getsize(lock) > 0):
        time.sleep(0.005)
    for extra in ([], ["--resume"]):
        p = run(["sweep", exp, "--out", out, "--quiet", *extra], check=False)
        if p.returncode != 2 or f"(process {first.pid})" not in p.stderr:
            fail(f"a second sweep{' --resume' if extra else ''} on a busy folder: exit "
                 f"{p.returncode}, {p.stderr!r}")
    first.send_signal(signal.SIGINT)
    first.wait()
    print(f"a second sweep and a --resume on a folder in use: refused, naming process {first.pid}")


def disk_full(exp, work):
    mount = os.path.join(work, "tiny")
    os.mkdir(mount)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount],
                      capture_output=True).returncode != 0:
        print("skipped: disk full (cannot mount a tmpfs here; needs root)")
        return
    try:
        out = os.path.join(mount, "out")
        p = run(["sweep", exp, "--out", out, "--quiet"], check=False)
        lines = p.stderr.strip().splitlines()
        if p.returncode != 1 or len(lines) != 1 or "No space left on device" not in lines[0]:
            fail(f"a full disk: exit {p.returncode}, {p.stderr!r}")
        for name in ("runs.csv", "traces.csv", "best.csv", "meta.json", "experiment.toml"):
            if os.path.exists(os.path.join(out, name)):
                fail(f"a full disk left {name}")
        print(f"disk full: exit 1, {lines[0]!r}; no result file left")
    finally:
        subprocess.run(["umount", mount])


def hostile(work):
    fifo = os.path.join(work, "fifo.toml")
    os.mkfifo(fifo)
    file = os.path.join(work, "a-file")
    open(file, "w").close()
    exp = os.path.join(work, "h.toml")

    def experiment(extra, lr="0.01"):
        """The arguments of a sweep of a file with `extra`, written when the case runs."""
        def write():
            with open(exp, "w") as f:
                f.write(f'name = "h"\nproblems = ["rosenbrock"]\nbudget = {{ iters = 10 }}\n'
                        f"{extra}\n[optimizers.sgd]\nlr = {lr}\n")
            return ["sweep", exp, "--out", os.path.join(work, "h-out"), "--quiet"]
        return write

    cases = [
        (["sweep", fifo], "not a regular file"),
        (["run", "-p", "logreg:data=/dev/zero", "-o", "sgd"], "not a regular file"),
        (["run", "-p", "softmax:data=blobs,classes=4294967296", "-o", "sgd"], "limit 'classes'"),
        (["run", "-p", "quadratic:dim=1e15", "-o", "sgd"], "limit 'parameters'"),
        (["run", "-p", "quadratic:dim=100000,rotate=1", "-o", "sgd"], "dense_entries"),
        (["run", "-p", "mlp:hidden=100000x100000", "-o", "sgd"], "limit"),
        (["run", "-p", "quadratic", "-o", "sgd", "--iters", "100000000"], "log_points"),
        (["run", "-p", "quadratic", "-o", "sgd", "--epochs", "1e300"], "limit 'epochs'"),
        (["run", "-p", "quadratic", "-o", "sgd", "--seed", "-1"], "--seed"),
        (["run", "-p", "quadratic", "-o", "sgd", "--seed", "1e23"], "--seed"),
        (["gradcheck", "-p", "rosenbrock", "--seed", "-1"], "--seed"),
        (["inspect", "layers", "-p", "mlp", "--seed", "1e23"], "--seed"),
        (["run", "-p", "quadratic", "-o", "sgd", "--trace", "/dev/null"], "not a regular file"),
        (["run", "-p", "quadratic:dim=2\nx", "-o", "sgd"], "dim=2\\nx"),
        (["sweep", os.path.join(ROOT, "bench/experiments/default.toml"), "--threads",
          "2147483647"], "--threads"),
        (["sweep", os.path.join(ROOT, "bench/experiments/default.toml"), "--shard", "0.5/2"],
         "--shard"),
        (experiment("", "{ logspace = [1e-3, 1], n = 3e9 }"), "limit 'axis_values'"),
        (experiment("seeds = 1000000000"), "limit 'seeds'"),
        (experiment("seeds = 1.5"), "whole number"),
        (experiment("batch = 1e30"), "batch"),
        (experiment("log = { points = 1e9 }"), "log_points"),
        (experiment("log = { points = 10, every = 2 }"), "log"),
        (experiment('tune = { sta = "worst" }'), "tune.sta"),
        (experiment("target = { gap = nan }"), "target.gap"),
        (experiment("target = { test_acc = 2 }"), "target.test_acc"),
        (experiment("diverge = -1"), "diverge"),
        (experiment("search = { samples = 5 }"), "search.samples"),
        (["run", "-p", "logreg", "-o", "adam", "--dtype", "half"], "--dtype: unknown dtype 'half'"),
        (["run", "-p", "rosenbrock", "-o", "adam", "--dtype", "float32"],
         "problem 'rosenbrock:dim=2': dtype float32 with optimizer 'adam'"),
        (["run", "-p", "logreg", "-o", "lbfgs", "--dtype", "float32"],
         "dtype float32 with optimizer 'lbfgs': it works in double precision only"),
        (experiment('dtype = "float32"'), "dtype float32: problem 'rosenbrock' has no float path"),
        (experiment('dtype = ["float32", "float32"]'), "listed twice"),
    ]
    for args, expected in cases:
        args = args() if callable(args) else args
        p = run(args, check=False, timeout=10)
        lines = p.stderr.strip().splitlines()
        if p.returncode != 2 or len(lines) != 1 or not lines[0].startswith("error:") or \
                expected not in lines[0]:
            fail(f"descent {args}: expected one error line with {expected!r} and exit 2, got "
                 f"{p.returncode}: {p.stderr!r}")
    with open(exp, "w") as f:
        f.write('name = ".."\nproblems = ["rosenbrock"]\nbudget = { iters = 10 }\n'
                "[optimizers.sgd]\nlr = 0.01\n")
    p = run(["sweep", exp, "--quiet"], check=False)
    if p.returncode != 2 or "key 'name'" not in p.stderr:
        fail(f"name = '..': {p.stderr!r}")
    # Output paths: a file in the way is one error line and exit 1 (the OS refused), no trace.
    for args in (["--trace", os.path.join(file, "t.csv")],):
        p = run(["run", "-p", "quadratic", "-o", "sgd", *args], check=False)
        if p.returncode != 1 or not p.stderr.startswith("error: ") or "internal" in p.stderr:
            fail(f"--trace under a file: {p.returncode} {p.stderr!r}")
    p = run(["sweep", os.path.join(ROOT, "bench/experiments/default.toml"), "--out", file,
             "--quiet"], check=False)
    if p.returncode != 1 or "internal" in p.stderr or not p.stderr.startswith("error: "):
        fail(f"--out at a file: {p.returncode} {p.stderr!r}")
    print(f"hostile input: {len(cases) + 3} cases, one error line each")


def main():
    work = tempfile.mkdtemp(prefix="descent_faults_")
    try:
        exp = os.path.join(work, "faults.toml")
        with open(exp, "w") as f:
            f.write(EXPERIMENT)
        reference = os.path.join(work, "reference")
        sweep(exp, reference)
        start = time.monotonic()
        hostile(work)
        concurrent(exp, work)
        torn_rows(exp, work, reference)
        kills(exp, work, reference)
        other = os.path.join(work, "other.toml")
        with open(other, "w") as f:
            f.write(EXPERIMENT.replace('name = "faults"', 'name = "other"'))
        p = run(["sweep", other, "--out", reference, "--quiet"], check=False)
        if p.returncode != 2 or "--force" not in p.stderr:
            fail(f"--out at another experiment's results: {p.returncode} {p.stderr!r}")
        disk_full(exp, work)
        print(f"fault scenarios: {time.monotonic() - start:.0f} s")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
