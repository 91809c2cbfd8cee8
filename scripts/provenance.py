#!/usr/bin/python3
"""Which build made a set of results. The facts that decide a run's numbers (ISA level, flags,
compiler, Eigen, glibc, version) are declared once, in lib/build_info.cpp; `descent --version`
prints them and every sweep's meta.json records them. Committed results keep them in a
build.json beside them, and a check compares a binary (or a results folder) with that file
before comparing any number, so that a native build or another version gets one plain error
instead of a false diff.

    provenance.py record --exe build/descent --out results/quick/build.json
    provenance.py check results/quick/build.json --exe build/descent
    provenance.py check results/quick/build.json --folder results/default
"""
import json
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scriptlib import InputError, Parser, main_guard, write_text  # noqa: E402

PORTABLE_HOWTO = "scripts/build.sh (cmake's default, -DDESCENT_NATIVE=OFF)"


def facts_of_exe(exe, runner=()):
    """The build facts that `exe --version` prints as indented `key: value` lines."""
    try:
        out = subprocess.run([*runner, exe, "--version"], capture_output=True, text=True)
    except OSError as e:
        raise InputError(f"cannot run '{exe}': {e.strerror}")
    if out.returncode != 0:
        raise InputError(f"'{exe} --version' failed (exit status {out.returncode})")
    facts = dict(line.strip().split(": ", 1) for line in out.stdout.splitlines()
                 if line.startswith("  ") and ": " in line)
    if not facts:
        raise InputError(f"'{exe} --version' prints no build facts (built before they existed?)")
    return facts


def facts_of_folder(folder):
    """The build facts recorded in a sweep folder's meta.json."""
    path = os.path.join(folder, "meta.json")
    try:
        with open(path, encoding="utf-8") as f:
            build = json.load(f).get("build")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (not a sweep's results folder?)")
    except (json.JSONDecodeError, AttributeError) as e:
        raise InputError(f"{path}: not a meta.json object ({e})")
    if not isinstance(build, dict):
        raise InputError(f"{path}: no build facts (made by a descent older than the portable build)")
    return {str(k): str(v) for k, v in build.items()}


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            facts = json.load(f)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file")
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: not valid JSON ({e})")
    if not isinstance(facts, dict):
        raise InputError(f"{path}: expected an object of build facts")
    return facts


def check(committed_path, facts, what):
    """Raises InputError naming the first fact in which `facts` (of `what`) differ from the
    committed ones."""
    committed = load(committed_path)
    if facts.get("build") == "native" and committed.get("build") != "native":
        raise InputError(
            f"{what} is a native build (-march=native); the results it would be compared with "
            f"({committed_path}) were made by a portable build ({committed.get('isa', '?')}): "
            f"make one with {PORTABLE_HOWTO}")
    for key in [*committed, *(k for k in facts if k not in committed)]:
        here, there = facts.get(key, "(none)"), committed.get(key, "(none)")
        if here != there:
            raise InputError(
                f"{what} is not the build that made {committed_path}: {key} is '{here}' here, "
                f"'{there}' there")


def record(facts, out):
    if facts.get("build") != "portable":
        raise InputError(f"refusing to record a {facts.get('build', 'unknown')} build's results "
                         f"as committed ones: make a portable build with {PORTABLE_HOWTO}")
    write_text(out, json.dumps(facts, indent=2) + "\n")


def main():
    parser = Parser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["record", "check"])
    parser.add_argument("committed", nargs="?", help="check: the committed build.json")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--exe", help="a descent binary")
    source.add_argument("--folder", help="a sweep's results folder (its meta.json)")
    parser.add_argument("--runner", default="", help="command that runs --exe (e.g. qemu)")
    parser.add_argument("--out", help="record: where to write build.json")
    args = parser.parse_args()
    if args.exe:
        facts, what = facts_of_exe(args.exe, shlex.split(args.runner)), args.exe
    else:
        facts, what = facts_of_folder(args.folder), args.folder
    if args.action == "record":
        if not args.out:
            raise InputError("record needs --out FILE")
        record(facts, args.out)
    else:
        if not args.committed:
            raise InputError("check needs the committed build.json")
        check(args.committed, facts, what)
        print(f"provenance: {what} is the build that made {args.committed}")


if __name__ == "__main__":
    main_guard(main)
