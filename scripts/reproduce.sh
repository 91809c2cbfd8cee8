#!/usr/bin/env bash
# Reproduces every committed result: each experiment of bench/experiments/ (sweep, table and
# figures), the trajectory pictures, and the README's tables.
#
#   scripts/reproduce.sh           all of it into results/ (a few minutes on 2 cores)
#   scripts/reproduce.sh --quick   one seed per configuration, tables only, into results/quick/tables/
#   scripts/reproduce.sh --check   the quick run into a scratch folder, compared with the
#                                  committed results/quick/tables (the convergence gate)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-full}
case "$mode" in full | --quick | --check) ;; *)
  echo "error: unknown option '$mode' (use --quick or --check)" >&2
  exit 2
  ;;
esac
scripts/setup.sh
scripts/build.sh >/dev/null
py=/usr/bin/python3
# Committed results come from a portable build, and are checked only against the same build:
# the facts that decide the numbers (scripts/provenance.py) are kept in results/quick/build.json.
if [[ $mode == --check ]]; then
  $py scripts/provenance.py check results/quick/build.json --exe build/descent >/dev/null
else
  $py scripts/provenance.py record --exe build/descent --out build/.facts.json
fi
experiments=(default conditioning valleys saddles batch-size mlp-moons mlp-digits schedules lbfgs-minibatch
  mlp-matrix tuning-budget modern flavors normalization normalization-mlp init)
claims=(init-layers normalization-hessian bias-correction) # tables of scripts/course_claims.py

# The quick runs keep only their tables (results/quick/tables/); their CSV goes to scratch.
out=results tables=results/tables
sweep_args=(--quiet)
if [[ $mode != full ]]; then
  out=$(mktemp -d)
  tables=results/quick/tables
  [[ $mode == --check ]] && tables=$out/tables
  sweep_args+=(--seeds 1)
fi

for e in "${experiments[@]}"; do
  build/descent sweep "bench/experiments/$e.toml" --out "$out/$e" "${sweep_args[@]}"
  if [[ $mode == full ]]; then
    $py scripts/tables.py "$out/$e" --out "$tables/$e.md" --readme README.md --marker "$e" >/dev/null
  else
    $py scripts/tables.py "$out/$e" --out "$tables/$e.md" >/dev/null
  fi
done

# The course notes' claims that a sweep does not hold (per-layer norms, Hessians, Adam's steps).
claims_figures=results/figures
[[ $mode != full ]] && claims_figures=$out/figures
$py scripts/course_claims.py init --descent build/descent --sweep "$out/init" \
  --table "$tables/init-layers.md" --figures "$claims_figures" >/dev/null
$py scripts/course_claims.py normalization --descent build/descent \
  --table "$tables/normalization-hessian.md" --figures "$claims_figures" >/dev/null
$py scripts/course_claims.py bias --descent build/descent \
  --table "$tables/bias-correction.md" --figures "$claims_figures" >/dev/null

if [[ $mode == --quick ]]; then
  cp build/.facts.json results/quick/build.json
fi
if [[ $mode != full ]]; then
  status=0
  if [[ $mode == --check ]]; then
    for e in "${experiments[@]}" "${claims[@]}"; do
      if ! diff -u "results/quick/tables/$e.md" "$tables/$e.md"; then
        echo "error: convergence table '$e' differs from results/quick/tables/$e.md" >&2
        status=1
      fi
    done
    [[ $status == 0 ]] && echo "convergence gate: ${#experiments[@]} tables reproduced exactly"
  fi
  rm -rf "$out"
  exit $status
fi

# The matrix optimizers against the clock as well (seconds: this machine's, see the README).
$py scripts/tables.py "$out/mlp-matrix" --metric time_to_target_s --out "$tables/mlp-matrix-time.md" \
  --readme README.md --marker mlp-matrix-time >/dev/null

# What tuning buys: the random search's budget.csv at a few k (0: the default hyperparameters).
$py scripts/tables.py "$out/tuning-budget" --budget 0,1,4,16,64 \
  --out "$tables/tuning-budget_budget.md" --readme README.md --marker tuning-budget-budget >/dev/null

# The modern optimizers: what tuning buys each (k = 0: defaults; 32: the whole search).
$py scripts/tables.py "$out/modern" --budget 0,1,4,32 \
  --out "$tables/modern_budget.md" --readme README.md --marker modern-budget >/dev/null

figures=results/figures
mkdir -p "$figures"
for e in "${experiments[@]}"; do
  case "$e" in
    mlp-matrix) x=iter ;;
    batch-size | mlp-* | schedules | lbfgs-minibatch | normalization-mlp) x=epoch ;;
    *) x=iter ;;
  esac
  y=gap
  [[ $e == mlp-* ]] && y=test_acc
  [[ $e == mlp-matrix || $e == flavors || $e == normalization-mlp ]] && y=loss
  [[ $e == init ]] && continue  # scripts/course_claims.py draws its training curves
  $py scripts/plot_convergence.py "$out/$e" --x "$x" --y "$y" --out "$figures" >/dev/null
  [[ $e == batch-size ]] && $py scripts/plot_convergence.py "$out/$e" --x time_s --out "$figures" >/dev/null
  [[ $e == mlp-matrix ]] && $py scripts/plot_convergence.py "$out/$e" --x time_s --y loss --out "$figures" >/dev/null
  [[ -f $out/$e/budget.csv ]] && $py scripts/plot_budget.py "$out/$e" --out "$figures" >/dev/null
  case "$e" in
    mlp-moons) ;;  # one fixed rate: no sensitivity to show
    tuning-budget | modern) ;;  # random search: no learning-rate slice through the best one
    *) $py scripts/plot_sensitivity.py "$out/$e" --out "$figures" >/dev/null ;;
  esac
done
for e in conditioning valleys; do
  $py scripts/plot_profiles.py "$out/$e" --out "$figures" >/dev/null
done

# The classic picture: optimizers racing over the contour lines, each at a rate that suits it.
traces=$(mktemp -d)
race() {  # problem iters optimizer-spec...
  local problem=$1 iters=$2 files=() labels=()
  shift 2
  for spec in "$@"; do
    local name=${spec%%:*}
    build/descent run --problem "$problem" --optimizer "$spec" --iters "$iters" --trace-x \
      --trace "$traces/$problem-$name.csv" >/dev/null
    files+=("$traces/$problem-$name.csv")
    labels+=("$spec")
  done
  $py scripts/plot_trajectories.py "${files[@]}" --problem "$problem" --labels "${labels[@]}" \
    --out "$figures/trajectories_$problem" >/dev/null
}
race rosenbrock 2000 sgd:lr=1e-3 momentum:lr=1e-3 nesterov:lr=1e-3 adagrad:lr=0.5 rmsprop:lr=1e-2 adam:lr=5e-2
race beale 2000 sgd:lr=1e-2 momentum:lr=1e-2 nesterov:lr=1e-2 adagrad:lr=0.5 rmsprop:lr=1e-2 adam:lr=5e-2
race saddle 300 sgd:lr=5e-2 momentum:lr=5e-2 nesterov:lr=5e-2 adagrad:lr=0.1 rmsprop:lr=1e-2 adam:lr=5e-2
rm -rf "$traces"

# Newton's cost against dimension, from the committed benchmark output (scripts/scaling.py; the
# benchmark itself takes about 13 minutes: see the README).
$py scripts/scaling.py results/bench/scaling.json results/bench/scaling-4000.json \
  --table results/tables/scaling.md --figure results/figures/scaling >/dev/null

# One web page per experiment (scripts/report.py) and results/index.html linking them.
for e in "${experiments[@]}"; do
  $py scripts/report.py "$out/$e" --exe build/descent >/dev/null
done
$py scripts/report.py --index results "${experiments[@]}" >/dev/null
echo "reproduced: results/<experiment>/ (report.html), results/index.html, results/tables/,"
echo "  results/figures/ and the README tables"
