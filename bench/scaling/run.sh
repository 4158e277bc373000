#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# How the cost of one flagship gradient grows with pupil size, PSF size, number of wavelengths
# and number of Zernike modes (issue #6 item 4): runs the BM_Scale* benchmarks of
# src/model/scaling_bench.cpp, prints a Markdown table and draws docs/images/scaling.png.
#
# Usage: bench/scaling/run.sh [OUT_DIR]   (default bench/scaling/out; the PNG is copied to
#        docs/images/scaling.png only with --update-docs)
#   env: BUILD (build folder, default build), REPETITIONS (default 3; the median is used)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
update_docs=0
out="$here/out"
for a in "$@"; do
  case "$a" in
    --update-docs) update_docs=1 ;;
    -h|--help) sed -n '3,10p' "$0"; exit 0 ;;
    *) out="$a" ;;
  esac
done
build="${BUILD:-$root/build}"
reps="${REPETITIONS:-3}"
mkdir -p "$out"

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
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
