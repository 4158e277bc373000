#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# How the cost of one flagship gradient grows with pupil size, PSF size, number of wavelengths
# and number of Zernike modes (issue #6 item 4): runs the BM_Scale* benchmarks of
# src/model/scaling_bench.cpp, prints a Markdown table and draws docs/images/scaling.png.
#
# Usage: bench/scaling/run.sh [--calibration] [OUT_DIR]   (default bench/scaling/out; the PNG
#        is copied to docs/images/ only with --update-docs)
#   --calibration: instead, the N-exposure calibration posterior (issue #11 §5): BM_Cal* of
#        src/posterior/scaling_bench.cpp against exposures, stars, detector size and parameter
#        count, and the threads of one evaluation -> calibration_scaling.{json,md,png}
#   env: BUILD (build folder, default build), REPETITIONS (default 3; the median is used),
#        PEAK (GFLOP/s of the roofline, default 58.3: BM_PeakFmaFloat64, docs/benchmarks.md),
#        CLOCK (real or cpu: tabulate the benchmark thread's CPU time, on a loaded machine)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
update_docs=0
calibration=0
out="$here/out"
for a in "$@"; do
  case "$a" in
    --update-docs) update_docs=1 ;;
    --calibration) calibration=1 ;;
    -h|--help) sed -n '3,14p' "$0"; exit 0 ;;
    *) out="$a" ;;
  esac
done
build="${BUILD:-$root/build}"
reps="${REPETITIONS:-3}"
mkdir -p "$out"

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
if [ "$calibration" = 1 ]; then
  cmake --build "$build" -j"$(nproc)" --target airy_posterior_bench >/dev/null
  "$build/airy_posterior_bench" --benchmark_filter='BM_Cal' --benchmark_repetitions="$reps" \
    --benchmark_report_aggregates_only=true --benchmark_format=console \
    --benchmark_out_format=json --benchmark_out="$out/calibration_scaling.json"
  venv="$here/.venv-scaling"
  source "$root/bench/pinned_venv.sh"
  pinned_venv "$venv" "$here/requirements.txt"
  "$venv/bin/python" "$here/plot_calibration.py" "$out/calibration_scaling.json" \
    "$out/calibration_scaling.png" "${PEAK:-58.3}" "${CLOCK:-real}" | tee "$out/calibration_scaling.md"
  if [ "$update_docs" = 1 ]; then
    mkdir -p "$root/docs/images"
    cp "$out/calibration_scaling.png" "$root/docs/images/calibration_scaling.png"
    echo "updated docs/images/calibration_scaling.png"
  fi
  exit 0
fi
cmake --build "$build" -j"$(nproc)" --target airy_model_bench >/dev/null
"$build/airy_model_bench" --benchmark_filter='BM_Scale' --benchmark_repetitions="$reps" \
  --benchmark_report_aggregates_only=true --benchmark_format=console \
  --benchmark_out_format=json --benchmark_out="$out/scaling.json"

venv="$here/.venv-scaling"
source "$root/bench/pinned_venv.sh"
pinned_venv "$venv" "$here/requirements.txt"
"$venv/bin/python" "$here/plot.py" "$out/scaling.json" "$out/scaling.png" | tee "$out/scaling.md"
if [ "$update_docs" = 1 ]; then
  mkdir -p "$root/docs/images"
  cp "$out/scaling.png" "$root/docs/images/scaling.png"
  echo "updated docs/images/scaling.png"
fi
