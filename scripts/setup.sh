#!/usr/bin/env bash
# Installs the Debian packages that the build, the tests and the scripts need. Idempotent:
# when everything is there it only checks. Not root and something missing: prints the exact
# install line and exits 2.
set -euo pipefail

packages=(
  g++ cmake make
  libeigen3-dev libfmt-dev libcli11-dev libtomlplusplus-dev libcsv-dev
  catch2 libbenchmark-dev
  python3 python3-numpy python3-pandas python3-matplotlib python3-tabulate
  valgrind
  qemu-user
  slurm-wlm munge
  chromium python3-websocket
  clang libclang-rt-14-dev libomp-dev
  pybind11-dev python3-pybind11 python3-pytest
  python3-venv python3-pip python3-setuptools python3-wheel
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "error: missing packages; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 2
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
