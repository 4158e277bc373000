#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Coverage of the Laplace intervals of the reduced pixel-level calibration (issue #11
# acceptance; docs/calibration.md "Coverage over data sets"): for K = FIRST..FIRST+N-1, run
# `airy demo calibration --seed K` (true flat field Normal(1, 0.05) per pixel from Philox
# seed K, noise.seed = K; the same 8 stars, 7 Zernikes and guess), then aggregate the
# fractions of true values inside the +-1 sd (68.27 %) and +-2 sd (95.45 %) Laplace intervals
# over the sets: flat field pooled and per set, Zernikes, positions and fluxes
# (tools/calibration_coverage.py; OUT/coverage.txt, OUT/coverage_sets.csv).
# Usage: tools/calibration_coverage.sh [N=20] [OUT=/tmp/airy-calibration-coverage] [FIRST=1]
#   env: AIRY (binary, default build/apps/airy/airy), PYTHON (python3 >= 3.11: tomllib).
# A set whose OUT/set_K/map/optimize.csv exists is kept (an interrupted study resumes).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}
OUT=${2:-/tmp/airy-calibration-coverage}
FIRST=${3:-1}
AIRY=${AIRY:-build/apps/airy/airy}
PYTHON=${PYTHON:-python3}
if [[ ! -x "$AIRY" ]]; then
  echo "calibration_coverage.sh: $AIRY not found (cmake --build build --target airy_cli)" >&2
  exit 2
fi
mkdir -p "$OUT"
start=$(date +%s)
for ((k = FIRST; k < FIRST + N; ++k)); do
  dir="$OUT/set_$k"
  if [[ -f "$dir/map/optimize.csv" ]]; then continue; fi
  t0=$(date +%s)
  "$AIRY" demo calibration --seed "$k" --out "$dir" --overwrite > "$OUT/set_$k.log" 2>&1 || {
    echo "calibration_coverage.sh: set $k failed (log: $OUT/set_$k.log)" >&2
    tail -5 "$OUT/set_$k.log" >&2
    exit 1
  }
  echo "set $k: $(( $(date +%s) - t0 )) s, $(grep -m1 'flat field:' "$OUT/set_$k.log" | sed 's/^truth: //')"
done
echo "all sets: $(( $(date +%s) - start )) s wall (this call), load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PYTHON" tools/calibration_coverage.py "$OUT" --first "$FIRST" --count "$N" | tee "$OUT/coverage.txt"
