"""Builds the extension descent._descent with the project's CMake build and puts it, with the
built-in data sets, into the package (pyproject.toml says how to install).

The CMake build folder is $DESCENT_BUILD_DIR, or the clone's build/ (the one scripts/build.sh
makes): an existing build is reused and only brought up to date. The build is the portable one
unless that folder was configured otherwise.
"""

import os
import pathlib
import re
import shutil
import subprocess

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BUILD = pathlib.Path(os.environ.get("DESCENT_BUILD_DIR") or ROOT / "build").resolve()


def version():
    # Declared once, in the project() line of CMakeLists.txt.
    text = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(descent VERSION ([0-9.]+)", text)[1]


class BuildWithCMake(build_py):
    def run(self):
        super().run()
        build = BUILD
        cmake = os.environ.get("CMAKE_COMMAND", "cmake")
        if not (build / "CMakeCache.txt").exists():
            subprocess.run([cmake, "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                            "-DDESCENT_NATIVE=OFF"], check=True)
        subprocess.run([cmake, "--build", build, "--target", "_descent", "-j",
                        str(os.cpu_count() or 1)], check=True)
        built = build / "python" / "descent"
        target = pathlib.Path(self.build_lib) / "descent"
        for so in built.glob("_descent*.so"):
            shutil.copy2(so, target / so.name)
        shutil.copytree(built / "data", target / "data", dirs_exist_ok=True)


class BinaryDistribution(Distribution):
    # The wheel holds a compiled extension: tagged for this Python and platform.
    def has_ext_modules(self):
        return True


# setuptools' own build folder goes inside the CMake one, not into the source tree.
setup(version=version(), cmdclass={"build_py": BuildWithCMake}, distclass=BinaryDistribution,
      options={"build": {"build_base": str(BUILD / "pip")}})
