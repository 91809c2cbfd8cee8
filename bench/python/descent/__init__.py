"""descent from Python: runs, sweeps, problem instances and your own optimizers and problems.

    import descent
    r = descent.run(problem="rosenbrock", optimizer="adam:lr=1e-2", iters=500)
    r.summary["final_loss"], r.trace.tail()      # a dict, a pandas DataFrame

The run loop, the sweep harness and the registries are descent's C++ (the extension
descent._descent); this package turns their columns into pandas DataFrames and normalizes the
key declarations of Python components. See README.md, "Use descent from Python".
"""

import collections
import os
import pathlib

# The built-in data sets (digits, breast_cancer) are read from this package's own folder, unless
# DESCENT_DATA_DIR names another; nothing outside the package is read.
_DATA = pathlib.Path(__file__).resolve().parent / "data"
if _DATA.is_dir():
    os.environ.setdefault("DESCENT_DATA_DIR", str(_DATA))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from . import _descent  # noqa: E402
from ._descent import IoError, RunError, UsageError  # noqa: E402,F401

__all__ = ["run", "sweep", "list", "Problem", "register_optimizer", "register_problem",
           "RunResult", "SweepResult", "UsageError", "IoError", "RunError"]

RunResult = collections.namedtuple("RunResult", "summary trace x")
RunResult.__doc__ = ("summary: dict (descent run's summary); trace: DataFrame (descent run "
                     "--trace's columns); x: the final iterate (numpy array)")
SweepResult = collections.namedtuple("SweepResult", "runs traces best dir outcome")
SweepResult.__doc__ = ("runs, traces, best: DataFrames of runs.csv, traces.csv, best.csv; dir: "
                       "the results folder; outcome: counts of runs (total, ok, diverged, errors)")

_INTEGER_COLUMNS = ("iter", "grad_evals")


def _seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, (int, str)):
        raise UsageError(f"--seed '{seed}': expected a whole number from 0 to 2^64 - 1")
    return str(seed)


def _frame(columns):
    frame = pd.DataFrame(columns)
    for name in _INTEGER_COLUMNS:
        if name in frame:
            frame[name] = frame[name].astype("int64")
    return frame


def run(problem, optimizer, schedule="constant", iters=None, epochs=None, batch=None, seed=0,
        x0=None, log_every=1, trace_x=False, dtype="float64"):
    """One run, as `descent run`: returns RunResult(summary, trace, x).

    The options are the CLI's (--iters defaults to 1000 unless epochs is given); a bad one raises
    UsageError with the message `descent run` prints after "error: ". A run that fails (a
    NumericalError, or an exception in a Python optimizer or problem) raises RunError.
    """
    if x0 is not None:
        x0 = np.asarray(x0, dtype=np.float64)
    summary, columns, x = _descent.run(problem, optimizer, schedule, iters, epochs,
                                       0 if batch is None else batch, _seed(seed), x0,
                                       log_every, trace_x, str(dtype))
    return RunResult(summary, _frame(columns), x)


def sweep(path, threads=0, out=None, resume=False, shard=None, seeds=0, quiet=True, force=False,
          dry_run=False):
    """Runs an experiment file, as `descent sweep`; returns SweepResult(runs, traces, best, ...).

    The GIL is released while the sweep runs; runs with a Python optimizer or problem take it
    for each call into Python, so they are serialized on the interpreter while built-in runs go
    on in parallel on the other threads. A failing run is a row with status `error` and the
    exception's message, as in the CLI.
    """
    outcome = _descent.sweep(str(path), int(threads), "" if out is None else str(out),
                             bool(resume), "" if shard is None else str(shard), int(seeds),
                             bool(quiet), bool(force), bool(dry_run))
    folder = pathlib.Path(outcome["dir"])
    if dry_run:
        return SweepResult(None, None, None, folder, outcome)

    def read(name):
        f = folder / name
        # round_trip: pandas' default float parser is not exact in the last digit.
        return pd.read_csv(f, float_precision="round_trip") if f.exists() else None

    return SweepResult(read("runs.csv"), read("traces.csv"), read("best.csv"), folder, outcome)


def _keys_text(keys):
    parts = []
    for k in keys:
        value = k["default"] if k["default"] is not None else (
            "(required)" if k["required"] else "(unset)")
        if k["choices"]:
            value += " [" + "|".join(k["choices"]) + "]"
        parts.append(f"{k['name']}={value}")
    return " ".join(parts) if parts else "(none)"


def list(what, verbose=False):  # noqa: A001 (the CLI's name)
    """The registries and tables of `descent list WHAT`, as a DataFrame.

    what: optimizers | flavors | problems | schedules | columns | outputs | limits. The `keys`
    column is the CLI's `key=default ...` text, or with verbose=True a list of dicts (name,
    default, required, help, range, choices).
    """
    rows = _descent.list_rows(str(what))
    if not verbose:
        for row in rows:
            if "keys" in row:
                row["keys"] = _keys_text(row["keys"])
    return pd.DataFrame(rows)


class Problem(_descent.Problem):
    """A problem instance, exactly the one descent's optimizers see for (spec, seed).

    loss_grad(x) -> (f, g); loss_grad_batch(x, indices) -> (mean f, mean g) over training
    samples; dim; x0 (the start point for the seed); optimum (f* or None); layout (the blocks:
    name, offset, rows, cols, stride, matrix); samples (0 without data); test_metrics(x) ->
    (loss, accuracy) or None; data (the classifiers' {"train": (X, y), "test": (X, y)}, as the
    model sees them, or None); spec (canonical).
    """

    def __init__(self, spec, seed=0):
        super().__init__(str(spec), _seed(seed))


# ---- Python components ----------------------------------------------------------------------

_RANGES = ("any", "positive", "nonnegative", "unit_open", "unit_closed", "at_least_one",
           "at_least_one_or_inf")


def _text(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _key(name, decl):
    """(name, kind, default, help, range, choices) from one entry of keys={...}.

    An entry is a default (float: real key, int: integer, bool: flag, str: text), or a tuple
    (default, range[, help]) where range is one of _RANGES or a list of choices (a choice key).
    A default of None makes the key required.
    """
    default, where, help_text = decl, "any", ""
    if isinstance(decl, tuple):
        if not 1 <= len(decl) <= 3:
            raise UsageError(f"key '{name}': expected (default, range[, help])")
        default = decl[0]
        where = decl[1] if len(decl) > 1 else "any"
        help_text = decl[2] if len(decl) > 2 else ""
    choices = []
    if isinstance(where, (tuple, type([]))):
        choices, where = [str(c) for c in where], "any"
        kind = "choice"
    elif isinstance(default, bool):
        kind = "flag"
    elif isinstance(default, int):
        kind = "integer"
    elif isinstance(default, float) or default is None:
        kind = "real"
    elif isinstance(default, str):
        kind = "text"
    else:
        raise UsageError(f"key '{name}': a default of type {type(default).__name__}")
    if where not in _RANGES:
        raise UsageError(f"key '{name}': unknown range '{where}' ({', '.join(_RANGES)})")
    return (str(name), kind, "" if default is None else _text(default), str(help_text), where,
            choices)


def _keys(keys):
    return [_key(name, decl) for name, decl in (keys or {}).items()]


def register_optimizer(name, cls, keys=None, summary="", equations=""):
    """Registers a Python optimizer under `name` for run, sweep and list.

    Per run, descent builds cls(dim, **hyperparameters) (every key of `keys` that has a value)
    and calls reset() (if defined) and step(x, g, lr_scale): x and g are numpy float64 views of
    descent's vectors (g read-only), valid during the call; step updates x in place and returns
    None; the schedule's factor is lr_scale. The keys `clip` and `weight_decay` are added and
    applied by descent as for built-in optimizers.
    """
    if not callable(getattr(cls, "step", None)):
        raise UsageError(f"optimizer '{name}': the class needs a method step(x, g, lr_scale)")
    _descent.register_optimizer(str(name), cls, _keys(keys), summary or cls.__doc__ or "",
                                equations)


def register_problem(name, cls, keys=None, summary="", definition=""):
    """Registers a Python problem under `name` for run, sweep, list and Problem.

    Per instance, descent builds cls(instance_seed, **keys) and reads `dim` (an int), `optimum`
    (a number, None or a method; optional) and calls loss_grad(x) -> (f, g) with x a read-only
    float64 view, and initial_point(seed) or the attribute `x0` for the start point.
    """
    if not callable(getattr(cls, "loss_grad", None)):
        raise UsageError(f"problem '{name}': the class needs a method loss_grad(x)")
    _descent.register_problem(str(name), cls, _keys(keys), summary or cls.__doc__ or "",
                              definition)
