#!/usr/bin/env bash
# The sanitizer job (ctest `sanitizers`): a clang build with AddressSanitizer and UBSan
# (float-cast-overflow included, every report fatal) in build-sanitize/ (or $DESCENT_SANITIZE_DIR)
# runs the Catch test suite, the fault and hostile-input scenarios of scripts/test_faults.py, and
# each libFuzzer target of tests/fuzz/ for $DESCENT_FUZZ_SECONDS (default 15) over its committed
# corpus, tests/fuzz/corpus/<target>/. Any sanitizer report, crash or fuzzer finding fails it.
#   scripts/sanitize.sh [--fuzz-only]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${DESCENT_SANITIZE_DIR:-build-sanitize}
seconds=${DESCENT_FUZZ_SECONDS:-15}
targets=(spec experiment data)

if ! command -v clang++ >/dev/null; then
  echo "sanitize: skipped, clang++ is not installed (scripts/setup.sh installs it)" >&2
  exit 77
fi
# -O1: the sanitizers' usual level (fast enough, exact stack traces); no NDEBUG, so that Eigen's
# own bounds assertions are checked too.
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DDESCENT_SANITIZE=ON -DDESCENT_FUZZ=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target descent descent_tests \
  "${targets[@]/#/fuzz_}" >/dev/null

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [[ "${1:-}" != --fuzz-only ]]; then
  echo "sanitize: the Catch suite" >&2
  "$build/descent_tests" >"$build/tests.log" 2>&1 || { tail -50 "$build/tests.log"; exit 1; }
  tail -2 "$build/tests.log"
  echo "sanitize: fault scenarios and hostile input" >&2
  DESCENT_EXE="$root/$build/descent" /usr/bin/python3 scripts/test_faults.py
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in "${targets[@]}"; do
  # New inputs go to the temporary folder; the committed corpus is only read.
  mkdir -p "$work/$t"
  echo "sanitize: fuzz_$t for ${seconds} s" >&2
  if ! "$build/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$work/" -print_final_stats=1 -dict="tests/fuzz/$t.dict" \
    "$work/$t" "tests/fuzz/corpus/$t" \
    >"$work/$t.log" 2>&1; then
    tail -40 "$work/$t.log"
    for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
      [[ -e "$a" ]] && { echo "finding: $a"; od -c "$a" | head -20; }
    done
    exit 1
  fi
  grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$work/$t.log" | tr '\n' ' '
  echo
done
