#!/usr/bin/env bash
# Configures and builds the Release build into build/ (or $DESCENT_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${DESCENT_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release ${DESCENT_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)"
