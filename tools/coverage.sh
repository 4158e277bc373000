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
#        PYTHON (default python3), BASE (default examples/binary_star.toml), JOBS (fits at
#        once, default 1), PT (1: parallel tempering: each config's [sampler] becomes
#        method = "pt" with CHAINS independent PT runs of PT_CHAINS (10) chains, PT_ROUNDS (10)
#        rounds and NUTS explorers capped at PT_MAX_DEPTH (8); WARMUP/SAMPLES unused).
# The fits run through `airy batch` (OUT/coverage_batch.toml; run directories OUT/1..N, data
# sets OUT/sim/1..N, table OUT/batch_summary.txt/.csv): finished fits with the same settings
# are kept, so an interrupted study resumes.
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
JOBS=${JOBS:-1}
export PT=${PT:-0}
export PT_CHAINS=${PT_CHAINS:-10} PT_ROUNDS=${PT_ROUNDS:-10} PT_MAX_DEPTH=${PT_MAX_DEPTH:-8}
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

mkdir -p "$OUT/sim"
if [[ "$PT" == 1 ]]; then
  echo "coverage: N=$N NPIX=$NPIX PT: $CHAINS runs x $PT_CHAINS chains x $PT_ROUNDS rounds, max_depth $PT_MAX_DEPTH; jobs=$JOBS out=$OUT"
else
  echo "coverage: N=$N NPIX=$NPIX chains=$CHAINS warmup=$WARMUP samples=$SAMPLES jobs=$JOBS out=$OUT"
fi
# The data sets (kept when present), then one manifest: `airy batch` runs the fits JOBS at a
# time and skips those already complete with the same settings (a rerun resumes).
manifest="$OUT/coverage_batch.toml"
printf '[batch]\nout = "%s"\njobs = %d\n' "$OUT" "$JOBS" >"$manifest"
# One fit at a time: its chains in parallel; several: one thread each (no oversubscription).
threads=$(( JOBS > 1 ? 1 : 0 ))
if [[ "$PT" == 1 ]]; then
  overrides="{chains = $CHAINS, threads = $threads}"  # the PT table is in the config (coverage.py)
else
  overrides="{chains = $CHAINS, warmup = $WARMUP, samples = $SAMPLES, threads = $threads}"
fi
for k in $(seq 1 "$N"); do
  sim="$OUT/sim/$k"
  cfg="$OUT/config_$k.toml"
  "$PYTHON" tools/coverage.py config "$BASE" "$k" "$cfg"
  if [[ ! -f "$sim/data.fits" || ! -f "$sim/truth.toml" ]]; then
    "$AIRY" simulate "$cfg" --out "$sim" --overwrite >/dev/null
  fi
  printf '\n[[fits]]\ntarget = "%s"\nconfig = "%s"\ndata = "%s"\ntruth = "%s"\noverrides = %s\n' \
    "$k" "$cfg" "$sim/data.fits" "$sim/truth.toml" "$overrides" >>"$manifest"
done
# A failed or interrupted fit is a row of batch_summary.txt; the report counts what finished.
rc=0
"$AIRY" batch "$manifest" || rc=$?
if (( rc >= 128 )); then
  echo "coverage.sh: stopped by a signal; run it again to resume" >&2
  exit "$rc"
elif (( rc != 0 )); then
  echo "coverage.sh: some fits failed (see $OUT/batch_summary.txt)" >&2
fi

"$PYTHON" tools/coverage.py report "$OUT" "$N"
echo "written: $OUT/coverage.md"
