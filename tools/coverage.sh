#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Coverage of the flagship posterior (issue #4): for k = 1..N, simulate a data set from
# examples/binary_star.toml with the 13 true values drawn from the priors (random.Random(k);
# noise seed k), fit it with `airy fit`, and check how often the central 90% interval of the
# pooled draws contains the truth (expected 0.9 N per parameter; N = 20: binomial 95% range
# 15-20). Prints the table and writes OUT/coverage.md (tools/coverage.py).
# Usage: tools/coverage.sh [N_DATASETS=20] [OUT=/tmp/airy-coverage]
#   env: NPIX (pupil samples, default 32; the flagship file says 128), CHAINS (4), WARMUP (500),
#        SAMPLES (500), AIRY (binary, default build/apps/airy/airy, built if missing),
#        PYTHON (default python3), BASE (default examples/binary_star.toml).
# Finished runs (OUT/k/summary.csv present) are kept, so an interrupted run resumes.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}
OUT=${2:-/tmp/airy-coverage}
export NPIX=${NPIX:-32}
CHAINS=${CHAINS:-4}
WARMUP=${WARMUP:-500}
SAMPLES=${SAMPLES:-500}
AIRY=${AIRY:-build/apps/airy/airy}
PYTHON=${PYTHON:-python3}
BASE=${BASE:-examples/binary_star.toml}

if [[ ! -x "$AIRY" ]]; then
  if [[ "$AIRY" == build/apps/airy/airy ]]; then
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
    cmake --build build -j2 --target airy_cli
  else
    echo "coverage.sh: $AIRY is not executable" >&2
    exit 1
  fi
fi

mkdir -p "$OUT"
echo "coverage: N=$N NPIX=$NPIX chains=$CHAINS warmup=$WARMUP samples=$SAMPLES out=$OUT"
for k in $(seq 1 "$N"); do
  dir="$OUT/$k"
  if [[ -f "$dir/summary.csv" && -f "$dir/truth.toml" ]]; then
    echo "[$k/$N] done already"
    continue
  fi
  mkdir -p "$dir"
  cfg="$OUT/config_$k.toml"
  "$PYTHON" tools/coverage.py config "$BASE" "$k" "$cfg"
  "$AIRY" simulate "$cfg" --out "$dir" >/dev/null
  t0=$(date +%s)
  "$AIRY" fit "$cfg" --data "$dir/data.fits" --out "$dir" --quiet --no-plots \
    --chains "$CHAINS" --warmup "$WARMUP" --samples "$SAMPLES" >"$dir/fit.log" 2>&1 || {
    echo "[$k/$N] fit failed: see $dir/fit.log" >&2
    continue
  }
  echo "[$k/$N] fit $(( $(date +%s) - t0 )) s"
done

"$PYTHON" tools/coverage.py report "$OUT" "$N"
echo "written: $OUT/coverage.md"
