#!/usr/bin/env bash
# The main job: set-up, Release build into build/, the default comparison experiment
# (bench/experiments/default.toml) into results/default/, and its comparison table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
build/descent sweep bench/experiments/default.toml --out results/default "$@"
/usr/bin/python3 scripts/tables.py results/default
