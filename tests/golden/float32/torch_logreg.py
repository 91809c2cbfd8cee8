#!/usr/bin/python3
"""The float32 reference of tests/test_float32.cpp: torch 1.13's float32 Adam on descent's logreg
instance, 100 steps, written to torch_logreg.csv beside this script.

    PYTHONPATH=build/python /usr/bin/python3 tests/golden/float32/torch_logreg.py

The instance is descent's own (descent.Problem(...).data: breast_cancer split and standardized
for seed 0, in double, then rounded to float32 here as descent's float path does); the loss is
descent's logreg in torch's float32 arithmetic,
    f(w, b) = mean_i [softplus(z_i) − y_i z_i] + (l2/2)‖w‖²,   z = X w + b,
and the optimizer torch.optim.Adam(lr=1e-2) from 0. The file holds f before each step (step 0
at the start, as descent's trace) and after the last. Needs python3-torch (Debian's 1.13), only
to regenerate the file; the test reads the committed CSV.
"""

import csv
import pathlib

import torch

import descent

SPEC, SEED, STEPS, LR, L2 = "logreg:data=breast_cancer,l2=1e-3", 0, 100, 1e-2, 1e-3


def main():
    torch.set_num_threads(1)
    X, y = descent.Problem(SPEC, seed=SEED).data["train"]
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32)
    d = X.shape[1]
    w = torch.zeros(d + 1, dtype=torch.float32, requires_grad=True)
    opt = torch.optim.Adam([w], lr=LR)

    def loss():
        z = X @ w[:d] + w[d]
        return (torch.nn.functional.softplus(z) - y * z).mean() + 0.5 * L2 * (w[:d] @ w[:d])

    rows = []
    for step in range(STEPS + 1):
        opt.zero_grad()
        f = loss()
        rows.append((step, f"{f.item():.9g}"))
        if step == STEPS:
            break
        f.backward()
        opt.step()
    out = pathlib.Path(__file__).with_name("torch_logreg.csv")
    with open(out, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["step", "loss"])
        writer.writerows(rows)
    print(f"wrote {out}: {STEPS} steps of torch {torch.__version__} float32 Adam, "
          f"loss {rows[0][1]} -> {rows[-1][1]}")


if __name__ == "__main__":
    main()
