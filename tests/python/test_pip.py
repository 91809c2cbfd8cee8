"""pip install from the clone (bench/python/pyproject.toml and setup.py), offline: into a fresh
venv that sees Debian's numpy, pandas, setuptools and wheel, reusing this build's CMake folder.
The installed package then runs from the venv alone, its data sets included."""

import os
import pathlib
import subprocess
import sys

import pytest

SOURCE = pathlib.Path(os.environ.get("DESCENT_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
BUILD = os.environ.get("DESCENT_BUILD_DIR")

CHECK = """
import pathlib, sys
import descent
where = pathlib.Path(descent.__file__).resolve()
assert where.is_relative_to(pathlib.Path(sys.prefix).resolve()), where
r = descent.run(problem="logreg:data=breast_cancer", optimizer="adam:lr=1e-2", iters=50)
assert r.summary["status"] == "ok" and r.summary["final_test_acc"] > 0.8, r.summary
print("installed", where.parent)
"""


@pytest.mark.skipif(not BUILD, reason="needs DESCENT_BUILD_DIR (ctest sets it)")
def test_pip_install_from_the_clone(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DESCENT_DATA_DIR")}
    env["DESCENT_BUILD_DIR"] = BUILD
    pip = subprocess.run([venv / "bin" / "pip", "install", "--no-index", "--no-build-isolation",
                          SOURCE / "bench" / "python"], env=env, capture_output=True, text=True)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    check = subprocess.run([venv / "bin" / "python", "-c", CHECK], env=env, cwd=tmp_path,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "installed" in check.stdout
