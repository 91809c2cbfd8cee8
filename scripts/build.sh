#!/usr/bin/env bash
# Configures and builds the Release build into build/ (or $DESCENT_BUILD_DIR): the portable
# build, also in a build folder configured before as native; DESCENT_CMAKE_ARGS=-DDESCENT_NATIVE=ON
# builds for this CPU instead.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${DESCENT_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DDESCENT_NATIVE=OFF ${DESCENT_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)"
