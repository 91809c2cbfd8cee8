#!/usr/bin/python3
"""Per-step cost of Python optimizers inside descent's run loop (README "Use descent from Python").

    PYTHONPATH=build/python /usr/bin/python3 scripts/bench_python.py [--steps N] [--reps R]

On 2-D Rosenbrock, the median over R repetitions of the time per step of
  descent   a numpy Adam registered as a Python optimizer, stepped by descent's run loop
  loop      the same numpy Adam and a numpy Rosenbrock gradient in a plain Python loop
  torch     torch.optim.Adam on the same function with autograd (torch.set_num_threads(1);
            skipped with a message when torch is not installed)
and the harness's overhead per Python step: a no-op Python optimizer inside descent, minus the
same no-op method called from a Python loop, minus descent's loop with a built-in optimizer
(the C++ gradient and bookkeeping, which a Python loop would also need).
Not a test: timings depend on the machine and its load.
"""

import argparse
import statistics
import subprocess
import time

import numpy as np

import descent
from descent.examples import NUMPY_ADAM_KEYS, NumpyAdam


class NoOp:
    def __init__(self, dim):
        pass

    def step(self, x, g, lr_scale):
        pass


def rosenbrock_grad(x):
    a, b = 1 - x[0], x[1] - x[0] * x[0]
    f = a * a + 100 * b * b
    return f, np.array([-2 * a - 400 * x[0] * b, 200 * b])


def per_step(fn, steps, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn(steps)
        times.append((time.perf_counter() - t0) / steps)
    return statistics.median(times)


def in_descent(optimizer):
    return lambda n: descent.run(problem="rosenbrock", optimizer=optimizer, iters=n, log_every=n)


def python_loop(n):
    x, opt = np.array([-1.2, 1.0]), NumpyAdam(2, **{k: v[0] for k, v in NUMPY_ADAM_KEYS.items()})
    for _ in range(n):
        _, g = rosenbrock_grad(x)
        opt.step(x, g, 1.0)


def direct_noop(n):
    x, g, opt = np.zeros(2), np.zeros(2), NoOp(2)
    step = opt.step
    for _ in range(n):
        step(x, g, 1.0)


def torch_loop():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)

    def loop(n):
        x = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([x], lr=1e-3)
        for _ in range(n):
            opt.zero_grad()
            f = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
            f.backward()
            opt.step()
    return loop


def cpu_model():
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100000)
    ap.add_argument("--reps", type=int, default=7)
    a = ap.parse_args()
    descent.register_optimizer("bench_npadam", NumpyAdam, keys=NUMPY_ADAM_KEYS)
    descent.register_optimizer("bench_noop", NoOp)
    us = 1e6
    t_descent = per_step(in_descent("bench_npadam"), a.steps, a.reps)
    t_loop = per_step(python_loop, a.steps, a.reps)
    t_noop = per_step(in_descent("bench_noop"), a.steps, a.reps)
    t_direct = per_step(direct_noop, a.steps, a.reps)
    t_builtin = per_step(in_descent("sgd:lr=1e-9"), a.steps, a.reps)
    torch = torch_loop()
    t_torch = per_step(torch, max(a.steps // 10, 1000), a.reps) if torch else None
    print(f"machine: {cpu_model()}; {a.steps} steps, median of {a.reps}")
    print(f"numpy Adam inside descent       {t_descent * us:8.3f} µs/step")
    print(f"numpy Adam, plain Python loop   {t_loop * us:8.3f} µs/step   "
          f"({t_loop / t_descent:.2f}x descent's time)")
    if t_torch is None:
        print("torch.optim.Adam                (skipped: torch is not installed)")
    else:
        print(f"torch.optim.Adam + autograd     {t_torch * us:8.3f} µs/step   "
              f"({t_torch / t_descent:.1f}x descent's time; goal >= 20x)")
    overhead = t_noop - t_direct - t_builtin
    print(f"no-op Python optimizer in descent {t_noop * us:6.3f} µs/step; the same call from "
          f"Python {t_direct * us:.3f}; descent's loop with a C++ step {t_builtin * us:.3f}")
    print(f"harness overhead per Python step {overhead * us:7.3f} µs (goal < 1 µs)")


if __name__ == "__main__":
    main()
