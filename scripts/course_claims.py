#!/usr/bin/python3
"""The course notes' claims that a sweep's tables do not show by themselves (issue 23), measured
with `descent inspect` and drawn with the plotlib conventions:

  course_claims.py init          per-layer gradient norms at the start against depth, per
                                 initialization (bench/experiments/init.toml's networks), and
                                 the sweep's final losses pivoted (--sweep results/init)
  course_claims.py normalization the Hessian's condition number at the optimum of
                                 bench/experiments/normalization.toml's logistic regressions
  course_claims.py bias          Adam with and without bias correction, RMSProp and EWA momentum
                                 (no correction): step sizes and losses over the first 50 steps,
                                 on the quadratic and the MLP; and how long Adam's early period
                                 lasts at β2 = 0.999

Each writes a Markdown table (--table) and, for init and bias, a figure (--figures); every
number comes from `descent` (--descent, default build/descent)."""
import io
import math
import os
import subprocess
import sys
import tomllib

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib as pl  # noqa: E402
from scriptlib import InputError, Parser, main_guard, write_text  # noqa: E402

plt = pl.plt
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def inspect(descent, *args):
    """`descent inspect ...` as a DataFrame; its error line becomes ours."""
    p = subprocess.run([descent, "inspect", *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise InputError(p.stderr.strip().removeprefix("error: ") or f"{descent} failed")
    return pd.read_csv(io.StringIO(p.stdout))


def experiment_problems(name):
    with open(os.path.join(ROOT, "bench", "experiments", f"{name}.toml"), "rb") as f:
        return tomllib.load(f)["problems"]


def keys_of(spec):
    """mlp:data=digits,hidden=64x64,act=tanh -> {"data": "digits", ...}"""
    rest = spec.split(":", 1)[1] if ":" in spec else ""
    return dict(kv.split("=", 1) for kv in rest.split(",") if kv)


def init_label(keys):
    init = keys.get("init", "he")
    if init == "normal":
        return f"normal σ = {0.01 * float(keys.get('init_scale', 1)):g}"
    return init


def ratio(a, b):
    """a/b, ∞ when b is 0 (a last layer whose input activations underflowed to 0)."""
    return math.inf if b == 0 else a / b


def markdown(df):
    return df.to_markdown(index=False, disable_numparse=True) + "\n"


# --- initialization -------------------------------------------------------------------------

def run_init(args):
    rows = []
    for spec in experiment_problems("init"):
        k = keys_of(spec)
        layers = inspect(args.descent, "layers", "--problem", spec)
        layers["act"], layers["depth"] = k["act"], len(k["hidden"].split("x"))
        layers["init"], layers["spec"] = init_label(k), spec
        rows.append(layers)
    df = pd.concat(rows, ignore_index=True)
    panels = [(a, d) for a in ("tanh", "relu") for d in sorted(df.depth.unique())]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.0 * len(panels), 3.0), sharey=True)
    inits = list(dict.fromkeys(df.init))
    color = pl.colors(inits)
    for ax, (act, depth) in zip(axes, panels):
        for init in inits:
            d = df[(df.act == act) & (df.depth == depth) & (df.init == init)]
            ax.plot(d.layer, d.grad_norm.where(d.grad_norm > 0), marker="o", ms=3, label=init,
                    color=color[init])  # an exact 0 (underflow) is left out
        ax.set_yscale("log")
        pl.log_ticks(ax.yaxis)
        ax.set_title(f"{act}, {depth} hidden layers")
        ax.set_xlabel("layer (1 = input side)")
    axes[0].set_ylabel("‖∂f/∂W_l‖ at the start")
    axes[-1].legend(loc="best")
    pl.caption(fig, "digits MLPs of 64 units: gradient norm per layer at initialization "
                    "(descent inspect layers); a missing point is exactly 0")
    pl.save_figure(fig, os.path.join(args.figures, "init_grad_norms"))

    out = []
    for (act, depth, init), d in df.groupby(["act", "depth", "init"], sort=False):
        hidden = d[d.activation_rms.notna()]
        out.append({"act": act, "hidden layers": depth, "init": init,
                    "‖∂f/∂W‖ layer 1": pl.fmt_sig(d.grad_norm.iloc[0]),
                    "‖∂f/∂W‖ last": pl.fmt_sig(d.grad_norm.iloc[-1]),
                    "ratio first/last": pl.fmt_sig(ratio(d.grad_norm.iloc[0],
                                                         d.grad_norm.iloc[-1])),
                    "RMS a_1": pl.fmt_sig(hidden.activation_rms.iloc[0]),
                    "RMS a_last": pl.fmt_sig(hidden.activation_rms.iloc[-1])})
    text = ("init: per-layer norms at the start point (`descent inspect layers`, instance "
            "seed 0); a_l the hidden activations.\n\n" + markdown(pd.DataFrame(out)))
    if args.sweep:
        best = pl.read_csv(os.path.join(args.sweep, "best.csv"), text=("problem", "optimizer"))
        best = best.assign(**{k: v for k, v in zip(("act", "depth", "init"), zip(*[
            (keys_of(s)["act"], len(keys_of(s)["hidden"].split("x")), init_label(keys_of(s)))
            for s in best.problem]))})
        best["cell"] = [f"{pl.fmt_sig(m)} (lr {c.split('lr=')[1].split(',')[0]})"
                        for m, c in zip(best.final_loss_median, best.config)]
        pivot = best.pivot_table(index="init", columns=["act", "depth"], values="cell",
                                 aggfunc="first", sort=False)
        pivot.columns = [f"{a}, {d} layers" for a, d in pivot.columns]
        with open(os.path.join(args.sweep, "experiment.toml"), "rb") as f:
            experiment = tomllib.load(f)
        text += (f"\ninit: median final training loss after {experiment['budget']['epochs']} "
                 f"epochs of {', '.join(experiment['optimizers'])} over "
                 f"{int(best.seeds.iloc[0])} seeds at the best rate of the grid "
                 f"(the {experiment['name']} sweep's best.csv); ∞: diverged.\n\n"
                 + pivot.reset_index().to_markdown(index=False, disable_numparse=True) + "\n")
        plot_init_training(args, best, inits)
    write_text(args.table, text)
    print(args.table)


def plot_init_training(args, best, inits):
    """Training loss against epochs at each network's best rate, median over seeds."""
    runs = pl.read_csv(os.path.join(args.sweep, "runs.csv"), text=("problem", "config"))
    traces = pl.read_csv(os.path.join(args.sweep, "traces.csv"))
    panels = [(a, d) for a in ("tanh", "relu") for d in sorted(best.depth.unique())]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.0 * len(panels), 3.0), sharey=True)
    color = pl.colors(inits)
    for ax, (act, depth) in zip(axes, panels):
        for _, b in best[(best.act == act) & (best.depth == depth)].iterrows():
            ids = runs[(runs.problem == b.problem) & (runs.config == b.config)].run_id
            t = traces[traces.run_id.isin(ids)]
            curve = t[np.isfinite(t.loss)].groupby("epoch").loss.median()
            ax.plot(curve.index, curve.clip(upper=1e3), color=color[b.init], label=b.init)
        ax.axhline(math.log(10), color="0.6", ls=":", lw=1)
        ax.set_yscale("log")
        ax.set_title(f"{act}, {depth} hidden layers")
        ax.set_xlabel("epoch")
    axes[0].set_ylabel("training loss")
    axes[-1].legend(loc="best")
    pl.caption(fig, "median over seeds at each network's best rate; dotted: log 10, a network "
                    "that learnt nothing; a diverged run ends (clipped at 1e3)")
    pl.save_figure(fig, os.path.join(args.figures, "init_training"))


# --- normalization --------------------------------------------------------------------------

def run_normalization(args):
    out = []
    for spec in experiment_problems("normalization"):
        for seed in range(args.seeds):
            h = inspect(args.descent, "hessian", "--problem", spec, "--seed", str(seed))
            out.append({"problem": spec, "seed": seed, "λ_min": h.lambda_min[0],
                        "λ_max": h.lambda_max[0], "cond": h.cond[0]})
    df = pd.DataFrame(out)
    med = df.groupby("problem", sort=False).median(numeric_only=True).reset_index()
    table = pd.DataFrame({"problem": med.problem,
                          "λ_min": [pl.fmt_sig(v) for v in med["λ_min"]],
                          "λ_max": [pl.fmt_sig(v) for v in med["λ_max"]],
                          "condition number": [pl.fmt_sig(v) for v in med.cond]})
    write_text(args.table, "normalization: the Hessian at the optimum (`descent inspect hessian`), "
               f"median over instance seeds 0..{args.seeds - 1}.\n\n" + markdown(table))
    print(args.table)


# --- bias correction ------------------------------------------------------------------------

PROBLEMS = {"quadratic": "quadratic:dim=100,cond=100,rotate=1",
            "mlp": "mlp:data=digits,hidden=64"}
OPTIMIZERS = {  # label: spec (one rate per problem, the same for every method)
    "adam": "adam:lr={lr}",
    "adam, bias_correction=0": "adam:lr={lr},bias_correction=0",
    "rmsprop (EWA of g², no correction)": "rmsprop:lr={lr}",
    "momentum, variant=ewa (no correction)": "momentum:variant=ewa,momentum=0.9,lr={lr}",
}
RATES = {"quadratic": 1e-2, "mlp": 1e-3}


def early_period(beta1, beta2, within):
    """The first t from which Adam's uncorrected step, (1 − β1^t)/√(1 − β2^t) times the
    corrected one at a constant gradient, stays within `within` of it."""
    t = np.arange(1, 200001)
    ratio = (1 - beta1**t) / np.sqrt(1 - beta2**t)
    outside = np.nonzero(np.abs(ratio - 1) > within)[0]
    return int(t[outside[-1] + 1]) if len(outside) else 1


def run_bias(args):
    runs = {}
    for pname, pspec in PROBLEMS.items():
        for label, ospec in OPTIMIZERS.items():
            runs[pname, label] = inspect(args.descent, "steps", "--problem", pspec,
                                         "--optimizer", ospec.format(lr=RATES[pname]),
                                         "--iters", str(args.iters))
    fig, axes = plt.subplots(2, len(PROBLEMS), figsize=(4.2 * len(PROBLEMS), 6.0), sharex=True)
    color = pl.colors(list(OPTIMIZERS))
    t = np.arange(1, args.iters + 1)
    for j, pname in enumerate(PROBLEMS):
        for label in OPTIMIZERS:
            d = runs[pname, label]
            axes[0, j].plot(d.iter[1:], d.step_norm[1:], label=label, color=color[label])
            axes[1, j].plot(d.iter, d.loss, label=label, color=color[label])
        # Adam's uncorrected step at a constant gradient, relative to the corrected one.
        ratio = (1 - 0.9**t) / np.sqrt(1 - 0.999**t)
        corrected = runs[pname, "adam"].step_norm[1:].to_numpy()
        axes[0, j].plot(t, corrected[0] * ratio, ls=":", color="0.4",
                        label="adam step 1 × (1 − β1^t)/√(1 − β2^t)")
        axes[0, j].set_yscale("log")
        axes[1, j].set_yscale("log")
        axes[0, j].set_title(f"{PROBLEMS[pname]}, lr {RATES[pname]:g}")
        axes[1, j].set_xlabel("step t")
    axes[0, 0].set_ylabel("step size ‖θ_t − θ_{t−1}‖")
    axes[1, 0].set_ylabel("loss")
    axes[0, -1].legend(loc="best", fontsize=7)
    pl.caption(fig, "the first steps with and without bias correction "
                    "(descent inspect steps, full batch)")
    pl.save_figure(fig, os.path.join(args.figures, "bias_correction"))

    out = []
    for (pname, label), d in runs.items():
        out.append({"problem": PROBLEMS[pname], "optimizer": label,
                    **{f"step t={k}": pl.fmt_sig(d.step_norm[k]) for k in (1, 10, 50)
                       if k <= args.iters},
                    **{f"loss t={k}": pl.fmt_sig(d.loss[k]) for k in (10, 50) if k <= args.iters}})
    lines = [f"- |ratio − 1| ≤ {w:g} from step {early_period(0.9, 0.999, w)} on"
             for w in (0.1, 0.01)]
    peak = max(range(1, 2001), key=lambda s: (1 - 0.9**s) / math.sqrt(1 - 0.999**s))
    peak_ratio = (1 - 0.9**peak) / math.sqrt(1 - 0.999**peak)
    text = (f"bias-correction: step sizes and losses over the first {args.iters} steps "
            "(`descent inspect steps`, full batch, lr 1e-2 on the quadratic, 1e-3 on the MLP).\n\n"
            + markdown(pd.DataFrame(out)) +
            "\nAdam's uncorrected step over the corrected one at a constant gradient, "
            "(1 − β1^t)/√(1 − β2^t) with β1 = 0.9, β2 = 0.999: "
            f"{pl.fmt_sig((1 - 0.9) / math.sqrt(1 - 0.999))} at t = 1, largest "
            f"{pl.fmt_sig(peak_ratio)} at t = {peak};\n" + "\n".join(lines) + "\n")
    write_text(args.table, text)
    print(args.table)


def main():
    p = Parser(description=__doc__, formatter_class=lambda prog: __import__("argparse")
               .RawDescriptionHelpFormatter(prog))
    p.add_argument("claim", choices=["init", "normalization", "bias"])
    p.add_argument("--descent", default=os.path.join(ROOT, "build", "descent"))
    p.add_argument("--table", required=True, help="Markdown file to write")
    p.add_argument("--figures", default=os.path.join(ROOT, "results", "figures"))
    p.add_argument("--sweep", help="init: the init sweep's folder, for the final losses")
    p.add_argument("--seeds", type=int, default=3, help="normalization: instance seeds")
    p.add_argument("--iters", type=int, default=50, help="bias: steps")
    args = p.parse_args()
    if not os.access(args.descent, os.X_OK):
        raise InputError(f"--descent: '{args.descent}' is not an executable")
    if args.seeds < 1 or args.iters < 50:
        raise InputError("--seeds must be >= 1 and --iters >= 50")
    {"init": run_init, "normalization": run_normalization, "bias": run_bias}[args.claim](args)


if __name__ == "__main__":
    main_guard(main)
