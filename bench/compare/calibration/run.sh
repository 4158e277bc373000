#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# airy vs dLux 0.15.1 + optax on the pixel-level calibration of examples/calibration.toml
# (issue #11 section 6). See bench/compare/calibration/README.md. Outputs go to
# bench/compare/calibration/out/ (git-ignored); the table is printed and written to out/table.md.
#
# Usage: bench/compare/calibration/run.sh [--epochs N] [--precisions "f64 f32"] [--lr-scale S]
#          [--skip-airy-build]
#   --epochs N         dLux epochs (default 1000; the tutorial runs 200, reported too)
#   --precisions LIST  dLux precisions (default "f64 f32"; the tutorial runs float32)
#   --lr-scale S       multiplies every dLux learning rate (default 1: the tutorial's, rescaled)
#   --skip-airy-build  fail instead of building airy when build/apps/airy/airy is missing
#   AIRY=PATH          use this airy binary
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
venv="$here/.venv"
out="$here/out"
airy="${AIRY:-$root/build/apps/airy/airy}"
epochs=1000; precisions="f64 f32"; lr_scale=1; skip_build=0
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs="$2"; shift ;;
    --precisions) precisions="$2"; shift ;;
    --lr-scale) lr_scale="$2"; shift ;;
    --skip-airy-build) skip_build=1 ;;
    -h|--help) sed -n '3,13p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

# ---------------------------------------------------------------- pinned venv (PyPI only)
source "$root/bench/pinned_venv.sh"
pinned_venv "$venv" "$here/requirements.txt"
py="$venv/bin/python"
export JAX_PLATFORMS=cpu

# ---------------------------------------------------------------- airy CLI
if [ ! -x "$airy" ]; then
  if [ "$skip_build" = 1 ]; then
    echo "run.sh: $airy is missing and --skip-airy-build was given" >&2; exit 1
  fi
  echo "== building airy (Release, target airy_cli)"
  cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$root/build" -j"$(nproc)" --target airy_cli
fi

# ---------------------------------------------------------------- data: airy simulate
# The example configs are copied unchanged into out/examples/, so that their relative paths
# (the flat field's file, the guess's ../calibration-sim/data_<exposure>.fits) resolve in out/.
rm -rf "$out"
mkdir -p "$out/examples"
cp "$root/examples/calibration.toml" "$root/examples/calibration_guess.toml" "$out/examples/"
python3 "$root/scripts/calibration_flat.py" "$out/examples/calibration_flat.fits"
"$airy" simulate "$out/examples/calibration.toml" --out "$out/calibration-sim" >"$out/simulate.log"
"$py" "$here/check_forward.py" "$out/examples/calibration.toml" "$out/calibration-sim"

# ---------------------------------------------------------------- airy optimize
echo "== airy optimize (load: $(uptime | sed 's/.*load average: //'))"
/usr/bin/time -f '%e %U %S %M' -o "$out/airy-optimize.time" \
  "$airy" optimize "$out/examples/calibration_guess.toml" --init config --out "$out/airy-map" \
  >"$out/airy-optimize.log" 2>&1 || { cat "$out/airy-optimize.log" >&2; exit 1; }
grep -E "MAP in|inside" "$out/airy-optimize.log" || true

# ---------------------------------------------------------------- dLux + optax
dirs=()
for prec in $precisions; do
  echo "== dLux + optax $prec, $epochs epochs (load: $(uptime | sed 's/.*load average: //'))"
  "$py" "$here/fit_dlux.py" "$out/examples/calibration_guess.toml" "$out/dlux_$prec" \
    --precision "$prec" --epochs "$epochs" --lr-scale "$lr_scale"
  dirs+=("$out/dlux_$prec")
done

# ---------------------------------------------------------------- the table
"$py" "$here/evaluate.py" "$out" --dlux "${dirs[@]}"
"$py" "$here/table.py" "$out" \
  "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), load average after the runs: $(uptime | sed 's/.*load average: //'); $(date -u +%Y-%m-%d)."
