#!/usr/bin/python3
"""The README's reference tables come from the code: each block between
<!-- list:WHAT:begin --> and <!-- list:WHAT:end --> is the output of `descent list WHAT --markdown`
(optimizers, problems, schedules, columns, outputs).

    scripts/docs.py --update [--exe build/descent] [--readme README.md]   rewrite the blocks
    scripts/docs.py --check  [--exe build/descent]                        exit 1 when one is stale
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scriptlib import InputError, Parser, main_guard, write_text  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCK = re.compile(r"(<!-- list:(\w+):begin -->\n)(.*?)(<!-- list:\2:end -->)", re.S)


def generated(exe, what):
    try:
        r = subprocess.run([exe, "list", what, "--markdown"], capture_output=True, text=True,
                           timeout=60)
    except OSError as e:
        raise InputError(f"{exe}: {e.strerror}")
    if r.returncode != 0:
        raise InputError(f"{exe} list {what} --markdown failed: {r.stderr.strip()}")
    return r.stdout


def main():
    ap = Parser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="fail when a block is stale")
    mode.add_argument("--update", action="store_true", help="rewrite the blocks")
    ap.add_argument("--exe", default=os.path.join(ROOT, "build", "descent"))
    ap.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    args = ap.parse_args()
    try:
        with open(args.readme, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise InputError(f"{args.readme}: {e.strerror}")
    blocks = BLOCK.findall(text)
    if not blocks:
        raise InputError(f"{args.readme}: no <!-- list:WHAT:begin --> blocks")
    stale = []

    def fill(m):
        fresh = generated(args.exe, m.group(2))
        if m.group(3) != fresh:
            stale.append(m.group(2))
        return m.group(1) + fresh + m.group(4)

    updated = BLOCK.sub(fill, text)
    if args.update:
        if stale:
            write_text(args.readme, updated)
        print(f"docs: {len(blocks)} blocks, {len(stale)} rewritten")
        return
    if stale:
        print(f"error: {args.readme}: stale reference tables: {', '.join(stale)} "
              "(run scripts/docs.py --update)", file=sys.stderr)
        sys.exit(1)
    print(f"docs: {len(blocks)} blocks current")


if __name__ == "__main__":
    main_guard(main)
