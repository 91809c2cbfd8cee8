#!/usr/bin/env bash
# Runs the Google Benchmark suite (descent_bench) on the Release build and keeps the results:
#   results/bench/<UTC date and time>-<short commit>[-dirty].json, and a copy as latest.json.
#
#   scripts/bench.sh [--filter REGEX] [extra descent_bench arguments]
#   e.g. scripts/bench.sh --filter 'BM_Step/adam/' --benchmark_repetitions=3
#
# A filter always keeps the calibration kernels (BM_Triad, BM_Gemm), because
# scripts/bench_compare.py divides every time by them. Timings depend on the machine's load;
# compare two files with scripts/bench_compare.py, not by eye.
set -euo pipefail
cd "$(dirname "$0")/.."

filter=""
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --filter)
      [[ $# -ge 2 ]] || { echo "error: --filter needs a regular expression" >&2; exit 2; }
      filter=$2
      shift 2
      ;;
    --filter=*) filter=${1#--filter=}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
[[ -n "$filter" ]] && args+=("--benchmark_filter=($filter)|BM_Triad|BM_Gemm")

scripts/setup.sh
scripts/build.sh
build=${DESCENT_BUILD_DIR:-build}

commit=$(git rev-parse --short HEAD 2>/dev/null || echo nocommit)
[[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]] || commit+=-dirty
mkdir -p results/bench
out="results/bench/$(date -u +%Y-%m-%dT%H%M%SZ)-$commit.json"
tmp=$(mktemp results/bench/.bench.XXXXXX)
trap 'rm -f "$tmp"' EXIT
uptime >&2
# The console table on stdout shows progress; the file gets the JSON.
"$build/descent_bench" --benchmark_out="$tmp" \
  --benchmark_out_format=json "${args[@]}"
chmod 644 "$tmp"  # mktemp makes it private
mv "$tmp" "$out"
cp "$out" results/bench/latest.json.tmp
mv results/bench/latest.json.tmp results/bench/latest.json
echo "bench: wrote $out (and results/bench/latest.json)" >&2
