#!/usr/bin/python3
"""descent's MLP step beside torch's, measured in the same run (README "Performance").

    scripts/bench_peers.py [--bench build/descent_bench] [--steps 2000] [--reps 5]

The step: digits' shape (64 features, 10 classes), one hidden layer of 64 ReLU units, a
mini-batch of 64, softmax cross-entropy, Adam (lr 1e-3). descent: BM_MlpStep (double) and
BM_MlpStep/float32 from descent_bench, CPU time per step; torch 1.13 (Debian's python3-torch, one
thread): nn.Sequential(Linear, ReLU, Linear), zero_grad, forward, backward and Adam's step in
float32 and float64 on random data of the same shape, the median over --reps of the mean over
--steps. Skipped with a message when torch is not installed. Not a test: timings depend on the
machine and its load.
"""

import argparse
import json
import os
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def descent_steps(bench):
    out = subprocess.run([bench, "--benchmark_filter=BM_MlpStep/(float32/)?mlp:hidden=64$",
                          "--benchmark_format=json", "--benchmark_repetitions=3",
                          "--benchmark_report_aggregates_only=true"],
                         capture_output=True, text=True, check=True).stdout
    times = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            kind = "float32" if "/float32/" in b["run_name"] else "float64"
            times[kind] = b["cpu_time"]  # microseconds (the benchmark's unit)
    return times


def torch_steps(steps, reps):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    times = {}
    for kind, dtype in (("float32", torch.float32), ("float64", torch.float64)):
        torch.manual_seed(0)
        x = torch.randn(1438, 64, dtype=dtype)
        y = torch.randint(0, 10, (1438,))
        model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(),
                                    torch.nn.Linear(64, 10)).to(dtype)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        per = []
        for _ in range(reps):
            start = time.process_time()
            for k in range(steps):
                rows = slice((64 * k) % 1344, (64 * k) % 1344 + 64)
                opt.zero_grad()
                loss_fn(model(x[rows]), y[rows]).backward()
                opt.step()
            per.append((time.process_time() - start) / steps * 1e6)
        times[kind] = statistics.median(per)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=os.path.join(HERE, "..", "build", "descent_bench"))
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    mine = descent_steps(a.bench)
    theirs = torch_steps(a.steps, a.reps)
    print("MLP step, 64-64-10, batch 64, Adam; CPU µs per step, 1 thread")
    for kind in ("float64", "float32"):
        line = f"{kind}: descent {mine[kind]:8.1f}"
        if theirs:
            line += f"   torch {theirs[kind]:8.1f}   torch / descent {theirs[kind] / mine[kind]:5.1f}"
        print(line)
    if not theirs:
        print("torch: skipped (python3-torch is not installed)")


if __name__ == "__main__":
    main()
