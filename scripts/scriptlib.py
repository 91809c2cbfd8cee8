#!/usr/bin/python3
"""What every script here shares: bad input is one `error:` line on stderr and exit status 2,
never a traceback, and output files appear whole (written under a temporary name, then
renamed)."""
import argparse
import os
import sys
import tempfile


class InputError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit status 2, not argparse's usage block
        raise InputError(message)


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def main_guard(main):
    """Runs main(); bad input becomes one `error:` line and exit status 2, not a traceback."""
    try:
        main()
    except InputError as e:
        fail(e)


def commit_file(tmp, path):
    """Renames a finished temporary file into place, with the usual permissions (mkstemp
    creates files readable by the owner only)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def write_text(path, text):
    """Writes a text file via a temporary name in the same folder, then renames it."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        commit_file(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
