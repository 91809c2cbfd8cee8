#!/usr/bin/env bash
# The performance-regression gate: counts the instructions of each fixed workload of
# descent_workload (bench/workload.cpp) under callgrind and compares them with
# results/baselines/instructions.json. Instruction counts do not depend on the machine's load,
# so the gate cannot flake the way timings would.
#
#   scripts/instructions_gate.sh            compare; exit 1 when a workload runs more than 5 %
#                                           more instructions than its baseline, or has none
#   scripts/instructions_gate.sh --update   rewrite the baseline (scripts/bench_baseline.sh)
#
# The build goes to build-gate/ (or $DESCENT_GATE_BUILD_DIR): the portable Release build
# (x86-64-v3, which valgrind decodes; it does not decode AVX-512), only descent_workload.
# DESCENT_GATE_WORKLOAD=path uses that binary instead: ctest passes its own build's, when that
# build is the same portable Release build, so that the test command does not build twice.
set -euo pipefail
cd "$(dirname "$0")/.."

update=0
case "${1:-}" in
  "") ;;
  --update) update=1 ;;
  *)
    echo "error: unknown argument '$1' (usage: scripts/instructions_gate.sh [--update])" >&2
    exit 2
    ;;
esac
if ! command -v valgrind >/dev/null; then
  echo "error: valgrind not found; run scripts/setup.sh" >&2
  exit 2
fi

build=${DESCENT_GATE_BUILD_DIR:-build-gate}
baseline=results/baselines/instructions.json
tolerance=0.05
mkdir -p "$build/callgrind"
# ctest and a developer may run the gate at once; they share the build directory.
exec 9>"$build/.gate.lock"
flock 9

start=$SECONDS
workload_exe=${DESCENT_GATE_WORKLOAD:-$build/descent_workload}
if [[ -n "${DESCENT_GATE_WORKLOAD:-}" ]]; then
  [[ -x "$workload_exe" ]] || { echo "error: DESCENT_GATE_WORKLOAD: no program $workload_exe" >&2; exit 2; }
elif ! { cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DDESCENT_NATIVE=OFF &&
  cmake --build "$build" --target descent_workload -j "$(nproc)"; } >"$build/gate-build.log" 2>&1; then
  tail -n 30 "$build/gate-build.log" >&2
  echo "error: building descent_workload failed (log: $build/gate-build.log)" >&2
  exit 1
fi
built=$((SECONDS - start))

# One line per workload: its name, a tab, the instructions between the CALLGRIND_START and
# CALLGRIND_STOP marks. With --instr-atstart=no callgrind leaves `summary:` at 0 and puts the
# count on the `totals:` line.
counts="$build/callgrind/counts.tsv"
: >"$counts"
while IFS= read -r workload; do
  out="$build/callgrind/$(printf '%s' "$workload" | tr -c 'A-Za-z0-9_.=-' '_').out"
  if ! valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" -q \
    "$workload_exe" "$workload" >"$out.log" 2>&1; then
    cat "$out.log" >&2
    echo "error: workload '$workload' failed under valgrind" >&2
    exit 1
  fi
  total=$(sed -n 's/^totals: *\([0-9][0-9]*\).*/\1/p' "$out" | head -n 1)
  if [[ -z "$total" || "$total" == 0 ]]; then
    echo "error: no instruction count in $out (is CALLGRIND_START_INSTRUMENTATION reached?)" >&2
    exit 1
  fi
  printf '%s\t%s\n' "$workload" "$total" >>"$counts"
done < <("$workload_exe" --list)

status=0
/usr/bin/python3 - "$counts" "$baseline" "$tolerance" "$update" <<'EOF' || status=$?
import json
import os
import sys


def load_counts(path):
    with open(path) as f:
        return {name: int(total) for name, total in (line.rstrip("\n").split("\t") for line in f)}


def write_baseline(counts, path):
    with open(path + ".tmp", "w") as f:
        json.dump(counts, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(path + ".tmp", path)
    print(f"instructions gate: wrote {len(counts)} workloads to {path}")


def load_baseline(path):
    try:
        with open(path) as f:
            base = json.load(f)
    except FileNotFoundError:
        print(f"FAIL: no baseline {path}; record one with scripts/bench_baseline.sh")
        sys.exit(1)
    except json.JSONDecodeError as e:
        print(f"error: {path}: not valid JSON ({e})", file=sys.stderr)
        sys.exit(2)
    if not isinstance(base, dict) or not all(
        isinstance(v, int) and v > 0 for v in base.values()
    ):
        print(f"error: {path}: expected an object workload -> instruction count", file=sys.stderr)
        sys.exit(2)
    return base


def check(name, now, base, tolerance):
    """Prints the workload's row; returns the failure message, or None."""
    if name not in base:
        print(f"{name:<40} {'-':>14} {now:>14,} {'new':>8}")
        return f"{name}: {now:,} instructions and no baseline; record it with scripts/bench_baseline.sh"
    change = now / base[name] - 1
    print(f"{name:<40} {base[name]:>14,} {now:>14,} {change:>+8.2%}")
    if change > tolerance:
        return (f"{name}: {now:,} instructions, baseline {base[name]:,} "
                f"({change:+.2%}, more than {tolerance:.0%} above)")
    if change < -tolerance:
        print(f"note: {name} runs {-change:.1%} fewer instructions than its baseline; "
              "scripts/bench_baseline.sh records the new level")
    return None


def main():
    counts_path, baseline_path = sys.argv[1], sys.argv[2]
    tolerance, update = float(sys.argv[3]), sys.argv[4] == "1"
    counts = load_counts(counts_path)
    if update:
        return write_baseline(counts, baseline_path)
    base = load_baseline(baseline_path)
    print(f"{'workload':<40} {'baseline':>14} {'now':>14} {'change':>8}")
    failures = [f for name, now in counts.items() if (f := check(name, now, base, tolerance))]
    for name in sorted(set(base) - set(counts)):
        print(f"note: baseline workload {name} no longer exists; scripts/bench_baseline.sh drops it")
    for failure in failures:
        print(f"FAIL: {failure}")
    if failures:
        print("If the change is intended, rewrite the baseline with scripts/bench_baseline.sh "
              "and commit results/baselines/instructions.json.")
        sys.exit(1)
    print(f"instructions gate: {len(counts)} workloads within {tolerance:.0%} of the baseline")


main()
EOF
echo "instructions gate: build ${built} s, total $((SECONDS - start)) s"
exit "$status"
