"""The Python module `descent` against the `descent` executable and against itself.

Run by ctest (test `python`) with PYTHONPATH at the build's module and DESCENT_EXE the build's
executable; DESCENT_SOURCE_DIR is the checkout (for README.md).
"""

import csv
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

import descent
from descent.examples import NUMPY_ADAM_KEYS, NumpyAdam

EXE = os.environ["DESCENT_EXE"]
SOURCE = pathlib.Path(os.environ.get("DESCENT_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))


def cli(*args, check=True):
    r = subprocess.run([EXE, *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"descent {' '.join(args)}: {r.stderr}")
    return r


def exact_values(stdout):
    """descent run --exact's lines: name -> float (x_hash as int)."""
    out = {}
    for m in re.finditer(r"^exact (\w+)\s+(\S+)$", stdout, re.M):
        out[m[1]] = int(m[2], 16) if m[1] == "x_hash" else float.fromhex(m[2])
    return out


def fnv1a(x):
    h = 0xcbf29ce484222325
    for b in np.ascontiguousarray(x, dtype=np.float64).tobytes():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


# ---- Python components used by several tests ------------------------------------------------

class Raises:
    def __init__(self, dim, at):
        self.at, self.t = at, 0

    def step(self, x, g, lr_scale):
        self.t += 1
        if self.t == self.at:
            raise ValueError(f"boom at step {self.t}")
        x -= 1e-3 * g


class WrongShape:
    def __init__(self, dim):
        self.dim = dim

    def step(self, x, g, lr_scale):
        x[:] = np.zeros(self.dim + 1)


class ReturnsArray:
    def __init__(self, dim):
        pass

    def step(self, x, g, lr_scale):
        return x - 1e-3 * g


class WritesNan:
    def __init__(self, dim):
        pass

    def step(self, x, g, lr_scale):
        x[0] = np.nan


class Booth:
    """Booth's function (x + 2y − 7)² + (2x + y − 5)², minimum 0 at (1, 3)."""

    dim = 2
    optimum = 0.0

    def __init__(self, seed, scale):
        self.scale = scale
        self.x0 = np.array([0.0, 0.0])

    def loss_grad(self, x):
        a, b = x[0] + 2 * x[1] - 7, 2 * x[0] + x[1] - 5
        return self.scale * (a * a + b * b), self.scale * np.array([2 * a + 4 * b, 4 * a + 2 * b])



@pytest.fixture(scope="module", autouse=True)
def registered():
    descent.register_optimizer("npadam", NumpyAdam, keys=NUMPY_ADAM_KEYS, summary="numpy Adam")
    descent.register_optimizer("raises", Raises, keys={"at": (5, "at_least_one")})
    descent.register_optimizer("wrongshape", WrongShape)
    descent.register_optimizer("returnsarray", ReturnsArray)
    descent.register_optimizer("writesnan", WritesNan)
    descent.register_problem("pybooth", Booth, keys={"scale": (1.0, "positive")},
                             definition="(x + 2y − 7)² + (2x + y − 5)²")


# ---- run, Problem, list against the CLI -----------------------------------------------------

def test_run_equals_cli(tmp_path):
    spec = dict(problem="quadratic:dim=3,cond=100,rotate=1", optimizer="adam:lr=3e-2",
                schedule="cosine:steps=200", iters=200, seed=7, log_every=10)
    r = descent.run(**spec)
    out = cli("run", "--problem", spec["problem"], "--optimizer", spec["optimizer"], "--schedule",
              spec["schedule"], "--iters", "200", "--seed", "7", "--log-every", "10", "--exact",
              "--trace", str(tmp_path / "t.csv")).stdout
    exact = exact_values(out)
    assert r.summary["final_loss"] == exact["final_loss"]
    assert r.summary["best_loss"] == exact["best_loss"]
    assert r.trace["grad_norm"].iloc[-1] == exact["grad_norm"]
    assert fnv1a(r.x) == exact["x_hash"]
    assert re.search(rf"^status\s+{r.summary['status']}$", out, re.M)
    assert re.search(rf"^steps\s+{r.summary['iters']}$", out, re.M)
    for name, key in (("problem", "problem"), ("optimizer", "config"), ("schedule", "schedule")):
        assert re.search(rf"^{name}\s+(\S+)$", out, re.M)[1] == r.summary[key]
    assert r.summary["iters"] == 200 and r.summary["optimizer"] == "adam"
    assert r.summary["seed"] == 7 and r.summary["batch"] == 0 and r.summary["message"] is None
    assert r.summary["final_gap"] == r.summary["final_loss"]  # f* = 0
    assert r.summary["final_test_acc"] is None and r.summary["iters_to_target"] is None
    trace = pd.read_csv(tmp_path / "t.csv", float_precision="round_trip")
    assert list(r.trace.columns) == list(trace.columns)
    pd.testing.assert_frame_equal(r.trace.drop(columns="time_s"), trace.drop(columns="time_s"),
                                  check_exact=True, check_dtype=False)


def test_problem_matches_finite_differences_and_cli(tmp_path):
    p = descent.Problem("quadratic:dim=4,cond=10,rotate=1", seed=3)
    assert p.dim == 4 and p.optimum == 0.0
    x = p.x0 + np.array([0.3, -0.2, 0.1, 0.5])
    f, g = p.loss_grad(x)
    h = 1e-6
    fd = [(p.loss_grad(x + h * e)[0] - p.loss_grad(x - h * e)[0]) / (2 * h) for e in np.eye(4)]
    np.testing.assert_allclose(g, fd, rtol=1e-7, atol=1e-9)
    # The CLI's numbers at the same point: the first trace row is f and ‖∇f‖ at --x0.
    out = cli("run", "--problem", "quadratic:dim=4,cond=10,rotate=1", "--seed", "3",
              "--optimizer", "sgd:lr=1e-3", "--iters", "1", "--x0",
              ",".join(repr(v) for v in x), "--trace", str(tmp_path / "t.csv"))
    first = next(csv.DictReader(open(tmp_path / "t.csv")))
    assert float(first["loss"]) == f
    assert float(first["grad_norm"]) == pytest.approx(np.linalg.norm(g), rel=1e-15)
    # x0 is the start point of the seed (the trace of a run without --x0 starts there).
    r = descent.run(problem="quadratic:dim=4,cond=10,rotate=1", optimizer="sgd:lr=1e-3",
                    iters=1, seed=3)
    assert r.trace["loss"][0] == p.loss_grad(p.x0)[0]


def test_batches_and_layout():
    p = descent.Problem("mlp:data=moons,hidden=4", seed=1)
    assert p.samples > 0
    blocks = p.layout
    assert sum(b["rows"] * b["cols"] for b in blocks) == p.dim
    assert any(b["matrix"] for b in blocks)
    x = p.x0
    f1, g1 = p.loss_grad_batch(x, [0])
    f2, g2 = p.loss_grad_batch(x, [5])
    f12, g12 = p.loss_grad_batch(x, np.array([0, 5]))
    assert f12 == pytest.approx((f1 + f2) / 2, rel=1e-12)
    np.testing.assert_allclose(g12, (g1 + g2) / 2, rtol=1e-10, atol=1e-14)
    assert f1 != f2
    fall, _ = p.loss_grad_batch(x, np.arange(p.samples))
    assert fall == pytest.approx(p.loss_grad(x)[0], rel=1e-12)
    with pytest.raises(descent.UsageError, match="is not a sample"):
        p.loss_grad_batch(x, [p.samples])


def test_list_shows_registered_and_builtin():
    opts = descent.list("optimizers")
    row = opts[opts["name"] == "npadam"].iloc[0]
    assert row["origin"] == "Python"
    assert "lr=0.001" in row["keys"] and "clip=0" in row["keys"]
    assert "adam" in set(opts["name"])
    probs = descent.list("problems", verbose=True)
    booth = probs[probs["name"] == "pybooth"].iloc[0]
    assert [k["name"] for k in booth["keys"]] == ["scale"]
    assert len(descent.list("limits")) == len(cli("list", "limits").stdout.splitlines())


# ---- errors carry the CLI's message ---------------------------------------------------------

@pytest.mark.parametrize("problem,optimizer", [
    ("rosenbrock:dim=0", "adam"), ("rosenbrock", "adam:lr=-1"), ("rosenbrock", "adam:lr=abc"), ("rosenbrock", "adam:bogus=1"),
    ("quadratic:dim=x", "sgd")])
def test_errors_carry_the_cli_message(problem, optimizer):
    r = cli("run", "--problem", problem, "--optimizer", optimizer, check=False)
    assert r.returncode == 2
    message = r.stderr.strip().removeprefix("error: ")
    with pytest.raises(descent.UsageError) as e:
        descent.run(problem=problem, optimizer=optimizer)
    assert str(e.value) == message
    assert isinstance(e.value, ValueError)


def test_option_errors_carry_the_cli_message():
    r = cli("run", "--problem", "quadratic:dim=5", "--optimizer", "sgd", "--trace-x",
            check=False)
    with pytest.raises(descent.UsageError) as e:
        descent.run(problem="quadratic:dim=5", optimizer="sgd", trace_x=True)
    assert str(e.value) == r.stderr.strip().removeprefix("error: ")


# ---- Python optimizers and problems ---------------------------------------------------------

def test_numpy_adam_follows_builtin_adam():
    kw = dict(problem="rosenbrock", iters=500, log_every=1, schedule="cosine:steps=500", seed=2)
    mine = descent.run(optimizer="npadam:lr=2e-2,beta1=0.8", **kw)
    ref = descent.run(optimizer="adam:lr=2e-2,beta1=0.8", **kw)
    np.testing.assert_allclose(mine.trace["loss"], ref.trace["loss"], rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(mine.x, ref.x, rtol=1e-12)
    assert mine.summary["final_loss"] < 0.5 * ref.trace["loss"][0]
    # clip is descent's, applied before the Python step as for the built-in (clipping switches
    # on and off along the run, which amplifies rounding differences: 1e-6, not 1e-12).
    a = descent.run(optimizer="npadam:lr=2e-2,clip=0.5", **kw)
    b = descent.run(optimizer="adam:lr=2e-2,clip=0.5", **kw)
    np.testing.assert_allclose(a.x, b.x, rtol=1e-6)
    assert not np.allclose(a.x, mine.x)


def test_python_problem_with_builtin_optimizer():
    r = descent.run(problem="pybooth:scale=2", optimizer="adam:lr=0.1", iters=2000)
    np.testing.assert_allclose(r.x, [1, 3], atol=1e-6)
    assert r.summary["problem"] == "pybooth:scale=2"
    assert r.summary["final_gap"] == r.summary["final_loss"]
    p = descent.Problem("pybooth:scale=2")
    f, g = p.loss_grad([0.0, 0.0])
    assert f == 2 * (49 + 25) and list(g) == [2 * (-14 - 20), 2 * (-28 - 10)]
    with pytest.raises(descent.UsageError, match="scale"):
        descent.Problem("pybooth:scale=-1")


def test_step_exception_raises_run_error():
    with pytest.raises(descent.RunError, match="ValueError: boom at step 3"):
        descent.run(problem="rosenbrock", optimizer="raises:at=3", iters=10)


def test_cannot_register_a_taken_name():
    with pytest.raises(descent.UsageError, match="already registered"):
        descent.register_optimizer("adam", NumpyAdam, keys=NUMPY_ADAM_KEYS)


EXPERIMENT = """
name = "python-mix"
problems = ["rosenbrock", "quadratic:dim=3,cond=10,rotate=1", "pybooth"]
seeds = 2
budget = {{ iters = 200 }}
log = {{ every = 20 }}
{optimizers}
"""


def write_experiment(tmp_path, optimizers):
    path = tmp_path / "e.toml"
    path.write_text(EXPERIMENT.format(optimizers=optimizers))
    return path


def without_timing(folder, name):
    meta = json.loads((folder / "meta.json").read_text())
    timing = {c["name"] for c in meta["columns"]["runs"] + meta["columns"]["traces"]
              if c["timing"]}
    frame = pd.read_csv(folder / name, float_precision="round_trip")
    return frame.drop(columns=[c for c in frame.columns if c in timing])


def test_sweep_threads_1_and_2_identical(tmp_path):
    path = write_experiment(tmp_path, """
[optimizers.npadam]
lr = [0.01, 0.05]
[optimizers.adam]
lr = [0.01, 0.05]
[optimizers.sgd]
lr = [1e-3]
""")
    one = descent.sweep(path, threads=1, out=tmp_path / "one")
    two = descent.sweep(path, threads=2, out=tmp_path / "two")
    assert len(one.runs) == 3 * 2 * 5 and (one.runs["status"] == "ok").all()
    for name in ("runs.csv", "traces.csv"):
        pd.testing.assert_frame_equal(without_timing(one.dir, name), without_timing(two.dir, name))
    # descent.run's summary is the run's runs.csv row, less the sweep's own columns.
    summary = descent.run(problem="rosenbrock", optimizer="adam", iters=5).summary
    sweep_only = {"run_id", "search", "rep"}
    assert list(summary) == [c for c in one.runs.columns
                             if c not in sweep_only and not c.startswith("hp_")]
    components = json.loads((one.dir / "meta.json").read_text())["components"]
    assert components["optimizers"] == {"npadam": "Python", "adam": "built in", "sgd": "built in"}
    # The Python Adam and the built-in one agree run for run.
    runs = one.runs.set_index(["problem", "hp_lr", "rep"])
    mine, ref = runs[runs["optimizer"] == "npadam"], runs[runs["optimizer"] == "adam"]
    np.testing.assert_allclose(mine["final_loss"], ref.loc[mine.index, "final_loss"], rtol=1e-10)
    assert not one.best.empty and len(one.traces) > len(one.runs)


def test_sweep_records_bad_python_optimizers_and_goes_on(tmp_path):
    path = write_experiment(tmp_path, """
[optimizers.raises]
at = [3]
[optimizers.wrongshape]
[optimizers.returnsarray]
[optimizers.writesnan]
[optimizers.adam]
lr = [0.01]
""")
    s = descent.sweep(path, threads=2, out=tmp_path / "bad")
    runs = s.runs
    by = {o: runs[runs["optimizer"] == o] for o in set(runs["optimizer"])}
    assert (by["adam"]["status"] == "ok").all() and len(by["adam"]) == 6
    assert (by["raises"]["status"] == "error").all()
    assert by["raises"]["message"].str.contains("ValueError: boom at step 3").all()
    assert (by["wrongshape"]["status"] == "error").all()
    assert by["wrongshape"]["message"].str.contains("ValueError: could not broadcast").all()
    assert (by["returnsarray"]["status"] == "error").all()
    assert by["returnsarray"]["message"].str.contains("returned ndarray instead of None").all()
    assert (by["writesnan"]["status"] == "diverged").all()
    assert s.outcome["errors"] == 18 and s.outcome["diverged"] == 6


# ---- the README's example -------------------------------------------------------------------

def test_readme_example(tmp_path, monkeypatch):
    text = (SOURCE / "README.md").read_text()
    block = re.search(r"<!-- python:example -->\s*```python\n(.*?)```", text, re.S)
    assert block, "README.md has no <!-- python:example --> block"
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(block[1], "README.md:python:example", "exec"), namespace)
    assert namespace["result"].summary["status"] == "ok"


INTERRUPTED = """
import sys
import descent
try:
    descent.sweep(sys.argv[1], threads=1, out=sys.argv[2])
except KeyboardInterrupt as e:
    print("KeyboardInterrupt:", e)
    sys.exit(3)
"""


def test_ctrl_c_stops_a_sweep_and_resume_finishes_it(tmp_path):
    path = tmp_path / "long.toml"
    path.write_text("""
name = "long"
problems = ["quadratic:dim=200,cond=100,rotate=1"]
seeds = 40
budget = { iters = 20000 }
log = { every = 10000 }
[optimizers.adam]
lr = [1e-3, 1e-2, 1e-1]
""")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", INTERRUPTED, str(path), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    partial = out / "runs.partial.csv"
    deadline = time.monotonic() + 60
    while not (partial.exists() and len(partial.read_text().splitlines()) > 2):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 3, stdout + stderr
    m = re.search(r"^KeyboardInterrupt: interrupted: (\d+) of 120 runs finished are kept in ",
                  stdout, re.M)
    assert m and 2 <= int(m[1]) < 120, stdout
    r = descent.sweep(path, threads=2, out=out, resume=True)
    assert r.outcome["skipped"] == int(m[1]) and len(r.runs) == 120
    assert (r.runs["status"] == "ok").all()


def test_float32_run_and_problem_data():
    kw = dict(problem="logreg:data=breast_cancer,l2=1e-3", optimizer="adam:lr=1e-2", iters=100)
    r = descent.run(dtype="float32", **kw)
    assert r.summary["dtype"] == "float32" and descent.run(**kw).summary["dtype"] == "float64"
    ref = pd.read_csv(SOURCE / "tests/golden/float32/torch_logreg.csv")
    np.testing.assert_allclose(r.trace["loss"], ref["loss"], rtol=1e-4)
    with pytest.raises(descent.UsageError, match=r"^--dtype: unknown dtype 'half'"):
        descent.run(dtype="half", **kw)
    with pytest.raises(descent.UsageError, match="the problem has no float path"):
        descent.run(problem="rosenbrock", optimizer="adam", dtype="float32")
    data = descent.Problem("logreg:data=breast_cancer", seed=0).data
    (X, y), (Xt, yt) = data["train"], data["test"]
    assert X.shape == (456, 30) and Xt.shape == (113, 30) and set(y) == {0, 1}
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)  # standardized on the train part
    assert descent.Problem("rosenbrock").data is None
