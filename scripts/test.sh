#!/usr/bin/env bash
# The test command: set-up, build, then every test through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd "${DESCENT_BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)"
