#!/usr/bin/env bash
# Sampler efficiency, airy vs NumPyro, on the analytic targets of src/infer/nuts_bench.cpp
# (issue #3): min bulk-ESS per gradient evaluation and per second on the 100-d standard normal
# (diag_e) and the 2-d rho = 0.99 Gaussian (dense_e and diag_e), 4 chains x 1000 warmup + 1000
# draws, on this machine. Prints one Markdown table (also written to bench/compare/out/nuts_analytic.md).
#
# Usage: bench/compare/nuts_analytic.sh [--reps N] [--chain-method parallel|sequential]
#   --reps N   timed runs per target on both sides (default 3, as airy_infer_bench)
#   Other options are passed to nuts_analytic.py (--chains/--warmup/--samples change the NumPyro
#   side only; the airy side is fixed by nuts_bench.cpp).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv-compare"
out="$here/out"
mkdir -p "$out"

py_args=("$@")   # passed to nuts_analytic.py
case "${1:-}" in -h|--help) sed -n '2,10p' "$0"; exit 0 ;; esac

# (1) Python venv (same pinned requirements as run.sh)
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ]; then
  echo "== creating $venv (pinned: $here/requirements.txt)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r "$here/requirements.txt"
  echo "$want" > "$stamp"
fi

# (2) airy side: Google Benchmark counters from airy_infer_bench
bench="$root/build/airy_infer_bench"
if [ ! -x "$bench" ]; then
  echo "== building $bench" >&2
  cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >&2
  cmake --build "$root/build" -j2 --target airy_infer_bench >&2
fi
echo "== airy: $bench (repetitions fixed at 3 in nuts_bench.cpp)" >&2
"$bench" --benchmark_format=json --benchmark_filter='BM_Nuts_' > "$out/airy_infer_bench.json"

# (3) NumPyro side + the combined table
echo "== NumPyro: $here/nuts_analytic.py ${py_args[*]:-}" >&2
"$venv/bin/python" "$here/nuts_analytic.py" --airy-json "$out/airy_infer_bench.json" \
  ${py_args[@]+"${py_args[@]}"} | tee "$out/nuts_analytic.md"
