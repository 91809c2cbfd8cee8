#!/usr/bin/env bash
# The sanitizer job (ctest `sanitizers`): a clang build with AddressSanitizer and UBSan
# (float-cast-overflow included, every report fatal) in build-sanitize/ (or $DESCENT_SANITIZE_DIR)
# runs the Catch test suite, the fault and hostile-input scenarios of scripts/test_faults.py, and
# each libFuzzer target of tests/fuzz/ for $DESCENT_FUZZ_SECONDS (default 20) over its committed
# corpus, tests/fuzz/corpus/<target>/. Any sanitizer report, crash or fuzzer finding fails it.
#   scripts/sanitize.sh [--fuzz-only]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${DESCENT_SANITIZE_DIR:-build-sanitize}
seconds=${DESCENT_FUZZ_SECONDS:-20}
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
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The pieces are independent and each mostly single-threaded, so they run two at a time: the
# suite beside the fault scenarios, then the fuzz targets together. The log of each that failed
# is shown, and the input of each finding.
failed=0
pids=() logs=()
start() {  # start LOG COMMAND...
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  pids+=($!) logs+=("$log")
}
finish() {  # waits for what start began
  local i
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
      grep -hE '^All tests passed|^fault scenarios|^stat::number_of_executed_units' "${logs[$i]}" |
        sed "s|^|$(basename "${logs[$i]}" .log): |"
    else
      failed=1
      echo "sanitize: FAILED: $(basename "${logs[$i]}" .log)"
      tail -40 "${logs[$i]}"
    fi
  done
  pids=() logs=()
}
if [[ "${1:-}" != --fuzz-only ]]; then
  start "$work/tests.log" "$build/descent_tests"
  start "$work/faults.log" env DESCENT_EXE="$root/$build/descent" /usr/bin/python3 \
    scripts/test_faults.py
  finish
fi
for t in "${targets[@]}"; do
  # New inputs go to the temporary folder; the committed corpus is only read.
  mkdir -p "$work/$t"
  start "$work/fuzz_$t.log" "$build/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=4096 -artifact_prefix="$work/$t-" -print_final_stats=1 \
    -dict="tests/fuzz/$t.dict" "$work/$t" "tests/fuzz/corpus/$t"
done
finish
for a in "$work"/*-crash-* "$work"/*-leak-* "$work"/*-timeout-* "$work"/*-oom-*; do
  [[ -e "$a" ]] && { echo "finding: $a"; od -c "$a" | head -20; }
done
exit $failed
