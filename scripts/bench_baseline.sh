#!/usr/bin/env bash
# Rewrites results/baselines/instructions.json on purpose: after a change that is meant to cost
# (or save) instructions, run this and commit the file with the change, so that the review sees
# the new counts next to the code. scripts/instructions_gate.sh then compares against them.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p results/baselines
scripts/instructions_gate.sh --update
