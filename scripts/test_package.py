#!/usr/bin/python3
"""The installed package and plugins (ctest `package`, issue 18 "Bring your own optimizer").

1. The README's section "Use descent from your own C++ project" shows every file of
   tests/example_project, each block equal to its file: what this test builds is the README's code
   (`scripts/test_package.py --update` rewrites the blocks from the files).
2. `cmake --install` of the build tree into a temporary prefix; tests/example_project configured
   against it (find_package(descent)) and built in its own build folder.
3. The example program registers its optimizer (nsgdm) and problem (booth) and runs the example
   experiment through the library.
4. The stock `descent` with the example's plugin: `sweep` at --threads 1 and 2 gives the same
   runs.csv and traces.csv (timing columns aside), which are also the example program's, with
   nsgdm beside adam and booth beside rosenbrock; `run` prints the plugin optimizer's summary;
   `list` shows both names; two shards (--resume, as `descent slurm`'s jobs run them) merged
   with the plugin give the same files.
5. Bad input, each one `error:` line naming the problem and exit status 2: a missing plugin file,
   a plugin built for another version, one that registers a built-in name, two that register the
   same name, a shared library that is not a plugin, one that needs a symbol descent lacks, and
   a sweep (--resume) of the example without its --plugin.
"""
import csv
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.abspath(os.environ.get("DESCENT_EXE", os.path.join(ROOT, "build", "descent")))
BUILD = os.path.abspath(os.environ.get("DESCENT_BUILD_DIR", os.path.dirname(EXE)))
CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
EXAMPLE = os.path.join(ROOT, "tests", "example_project")
EXPERIMENT = os.path.join(EXAMPLE, "experiment.toml")
README = os.path.join(ROOT, "README.md")

# Test-only plugins, against the same package: each one a way to be refused.
BAD_PLUGINS = {
    "CMakeLists.txt": """cmake_minimum_required(VERSION 3.25)
project(bad_plugins LANGUAGES CXX)
find_package(descent REQUIRED)
# The example's plugin, built as if for another version of descent.
add_library(other_version MODULE {example}/plugin.cpp)
target_include_directories(other_version PRIVATE {example})
target_compile_definitions(other_version PRIVATE DESCENT_ABI_VERSION="0.0.0-other")
add_library(builtin_name MODULE builtin_name.cpp)
add_library(not_a_plugin MODULE not_a_plugin.cpp)
add_library(unresolved MODULE unresolved.cpp)
foreach(t other_version builtin_name not_a_plugin unresolved)
  target_link_libraries(${t} PRIVATE descent::plugin)
endforeach()
""",
    "builtin_name.cpp": """#include "lib/optimizers/signum.hpp"
#include "lib/plugin.hpp"
void register_signum() { descent::register_optimizer(descent::optimizer_entry<descent::Signum>()); }
DESCENT_PLUGIN(register_signum)
""",
    "not_a_plugin.cpp": 'extern "C" int not_a_descent_plugin() { return 0; }\n',
    "unresolved.cpp": """#include "lib/plugin.hpp"
void descent_has_no_such_function();
void register_nothing() { descent_has_no_such_function(); }
DESCENT_PLUGIN(register_nothing)
""",
}


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def run(args, check=True, cwd=ROOT):
    p = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if check and p.returncode != 0:
        fail(f"{shlex.join(args)} exited {p.returncode}:\n{p.stdout}{p.stderr}")
    return p


BLOCK = re.compile(r"(<!-- example:(\S+) -->\n```\w*\n)(.*?)(```\n)", re.S)


def update_readme():
    """--update: each block of the README's example becomes its file again."""
    text = open(README, encoding="utf-8").read()
    read = lambda name: open(os.path.join(EXAMPLE, name), encoding="utf-8").read()  # noqa: E731
    text = BLOCK.sub(lambda m: m[1] + read(m[2]) + m[4], text)
    open(README, "w", encoding="utf-8").write(text)


def check_readme():
    """Every file of the example is in the README, between its markers, as it is."""
    text = open(README, encoding="utf-8").read()
    blocks = {m[2]: m[3] for m in BLOCK.finditer(text)}
    files = sorted(os.listdir(EXAMPLE))
    if sorted(blocks) != files:
        fail(f"README's example blocks {sorted(blocks)} are not tests/example_project's {files}")
    for name in files:
        if open(os.path.join(EXAMPLE, name), encoding="utf-8").read() != blocks[name]:
            fail(f"README's block <!-- example:{name} --> differs from tests/example_project/"
                 f"{name} (scripts/test_package.py --update rewrites the blocks)")


def configure_and_build(source, build, prefix):
    """A project of its own against the installed package, with this build's compiler."""
    flags = os.environ.get("DESCENT_TEST_CXXFLAGS", "")
    args = [CMAKE, "-S", source, "-B", build, f"-DCMAKE_PREFIX_PATH={prefix}",
            "-DCMAKE_BUILD_TYPE=Release", f"-DCMAKE_CXX_COMPILER={os.environ.get('CXX', 'c++')}"]
    if flags:  # a sanitizer build's libraries need its runtime
        args += [f"-DCMAKE_CXX_FLAGS={flags}", f"-DCMAKE_EXE_LINKER_FLAGS={flags}",
                 f"-DCMAKE_MODULE_LINKER_FLAGS={flags}"]
    run(args)
    run([CMAKE, "--build", build, "-j2"])


def without_timing(directory, name):
    """A CSV file's rows without its timing columns (meta.json says which)."""
    meta = json.load(open(os.path.join(directory, "meta.json")))
    columns = meta["columns"]["runs"] + meta["columns"]["traces"]
    timing = {c["name"] for c in columns if c["timing"]}
    rows = list(csv.reader(open(os.path.join(directory, name))))
    keep = [i for i, c in enumerate(rows[0]) if c not in timing]
    return [[row[i] for i in keep] for row in rows]


def check_same(a, b):
    for name in ("runs.csv", "traces.csv"):
        if without_timing(a, name) != without_timing(b, name):
            fail(f"{b}/{name} differs from {a}/{name} (timing columns aside)")


def check_sweeps(tmp, example_exe, plugin):
    """The plugin's sweep at 1 and 2 threads and the example program's: the same results."""
    outs = {}
    for threads in ("1", "2"):
        outs[threads] = os.path.join(tmp, f"threads{threads}")
        run([EXE, "sweep", EXPERIMENT, "--plugin", plugin, "--threads", threads,
             "--out", outs[threads], "--quiet"])
    check_same(outs["1"], outs["2"])
    program = os.path.join(tmp, "program")
    p = run([example_exe, EXPERIMENT, program])
    if not p.stdout.startswith("24 runs, 24 ok"):
        fail(f"the example program printed:\n{p.stdout}")
    check_same(outs["1"], program)
    rows = list(csv.DictReader(open(os.path.join(outs["1"], "runs.csv"))))
    pairs = {(r["problem"], r["optimizer"]) for r in rows}
    want = {(p, o) for p in ("booth", "rosenbrock") for o in ("nsgdm", "adam")}
    if pairs != want or any(r["status"] != "ok" for r in rows):
        fail(f"runs.csv holds {sorted(pairs)}, not all ok {sorted(want)}")
    best = {(r["problem"], r["optimizer"]) for r in
            csv.DictReader(open(os.path.join(outs["1"], "best.csv")))}
    if best != want:
        fail(f"best.csv holds {sorted(best)}, not {sorted(want)}")
    components = json.load(open(os.path.join(outs["1"], "meta.json")))["components"]
    origin = f"plugin '{plugin}'"
    want = {"optimizers": {"nsgdm": origin, "adam": "built in"},
            "problems": {"booth": origin, "rosenbrock": "built in"}}
    if components != want:
        fail(f"meta.json's components are {components}, not {want}")
    return outs["1"]


def check_shards(tmp, plugin, reference):
    """A sharded sweep as `descent slurm`'s jobs run it (--resume) and its merge, each with the
    plugin: the unsharded sweep's results."""
    shards = [os.path.join(tmp, f"shard{i}") for i in range(2)]
    for i, out in enumerate(shards):
        run([EXE, "sweep", EXPERIMENT, "--shard", f"{i}/2", "--out", out, "--resume", "--quiet",
             "--plugin", plugin])
    merged = os.path.join(tmp, "merged")
    run([EXE, "merge", *shards, "--out", merged, "--plugin", plugin])
    check_same(reference, merged)


def check_run_and_list(plugin):
    p = run([EXE, "run", "--plugin", plugin, "--problem", "booth", "--optimizer",
             "nsgdm:lr=0.03", "--iters", "200"])
    final = re.search(r"^final gap +(\S+)$", p.stdout, re.M)
    if (not re.search(r"^optimizer +nsgdm:lr=0\.03,momentum=0\.9,", p.stdout, re.M) or
            not re.search(r"^status +ok$", p.stdout, re.M) or not final or
            not float(final[1]) < 0.01):
        fail(f"descent run with the plugin printed:\n{p.stdout}")
    for kind, name in (("optimizers", "nsgdm"), ("problems", "booth")):
        p = run([EXE, "list", kind, "--plugin", plugin])
        if not re.search(rf"^{name}\b", p.stdout, re.M):
            fail(f"descent list {kind} --plugin shows no {name}:\n{p.stdout}")


def check_error(args, pattern):
    p = run([EXE, *args], check=False)
    lines = p.stderr.splitlines()
    if (p.returncode != 2 or len(lines) != 1 or not lines[0].startswith("error: ") or
            not re.search(pattern, lines[0])):
        fail(f"descent {shlex.join(args)}: exit {p.returncode}, expected 2 and one error line "
             f"matching {pattern!r}:\n{p.stderr}")


def check_bad_plugins(tmp, prefix, plugin, out):
    source = os.path.join(tmp, "bad_src")
    os.makedirs(source)
    for name, text in BAD_PLUGINS.items():
        with open(os.path.join(source, name), "w") as f:
            f.write(text.replace("{example}", EXAMPLE))
    build = os.path.join(tmp, "bad_build")
    configure_and_build(source, build, prefix)
    bad = lambda name: os.path.join(build, f"lib{name}.so")  # noqa: E731
    copy = os.path.join(tmp, "libcopy.so")  # a second plugin with the same names
    shutil.copy(plugin, copy)
    sweep = ["sweep", EXPERIMENT, "--out", os.path.join(tmp, "bad"), "--quiet", "--plugin"]
    missing = os.path.join(tmp, "libmissing.so")
    check_error([*sweep, missing], rf"^error: plugin '{re.escape(missing)}': .*No such file")
    check_error([*sweep, bad("other_version")],
                r"was built for descent 0\.0\.0-other, .*, and this is descent \d")
    check_error(["run", "--problem", "booth", "--optimizer", "signum", "--plugin",
                 bad("builtin_name")], r"optimizer 'signum' is already registered \(built in\)")
    check_error([*sweep, plugin, "--plugin", copy],
                rf"plugin '{re.escape(copy)}': optimizer 'nsgdm' is already registered "
                rf"\(plugin '{re.escape(plugin)}'\)")
    check_error([*sweep, bad("not_a_plugin")], r"is not a descent plugin")
    check_error([*sweep, bad("unresolved")], r"undefined symbol: .*descent_has_no_such_function")
    check_error(["sweep", EXPERIMENT, "--out", out, "--resume", "--quiet"],
                r"unknown (problem 'booth'|optimizer 'nsgdm') .*--plugin")


def main():
    if sys.argv[1:] == ["--update"]:
        return update_readme()
    check_readme()
    with tempfile.TemporaryDirectory(prefix="descent-package-") as tmp:
        prefix = os.path.join(tmp, "prefix")
        run([CMAKE, "--install", BUILD, "--prefix", prefix])
        build = os.path.join(tmp, "example")
        configure_and_build(EXAMPLE, build, prefix)
        plugin = os.path.join(build, "libexample_plugin.so")
        out = check_sweeps(tmp, os.path.join(build, "example"), plugin)
        check_shards(tmp, plugin, out)
        check_run_and_list(plugin)
        check_bad_plugins(tmp, prefix, plugin, out)
    print("package: ok")


if __name__ == "__main__":
    main()
