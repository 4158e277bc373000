#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The calibration example at a larger size (docs/benchmarks.md): examples/calibration.toml with
# an N x N detector (default 256), the stars spread 4x wider, 5 dithers; time and peak memory
# of simulate, optimize (MAP + every sd) and fisher.
#   scripts/calibration_bench.sh [N] [airy binary] [work dir]
set -euo pipefail
n=${1:-256}
airy=${2:-build/apps/airy/airy}
work=${3:-/tmp/airy-calibration-bench-$n}
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$work" && mkdir -p "$work"
python3 "$root/scripts/calibration_flat.py" "$work/calibration_flat.fits" "$n" 11
scale() { python3 -c "import sys; print('[' + ', '.join(str(round(4 * float(v), 4)) for v in sys.argv[1:]) + ']')" "$@"; }
px=$(scale 0.0 0.62 -0.55 0.31 -0.18 0.85 -0.9 0.4)
py=$(scale 0.0 0.41 0.33 -0.64 -0.82 -0.2 -0.55 0.88)
sed -e "s/^psf_npix = 64/psf_npix = $n/" -e "s/^positions_x = .*/positions_x = $px/" \
    -e "s/^positions_y = .*/positions_y = $py/" \
    -e "s/^scale = 1.0\$/scale = 4.0/" "$root/examples/calibration.toml" > "$work/calibration.toml"
run() {
  local name=$1; shift
  /usr/bin/time -f "$name: wall %e s, user %U s, sys %S s, peak RSS %M KiB" "$airy" "$@" \
    > "$work/$name.log" 2> "$work/$name.time" || { cat "$work/$name.log" "$work/$name.time"; exit 1; }
  tail -1 "$work/$name.time"
}
run simulate simulate "$work/calibration.toml" --out "$work/sim"
run optimize optimize "$work/sim/config.toml" --init config --out "$work/map"
run fisher fisher "$work/sim/config.toml" --out "$work/fisher"
sed -n '1,4p' "$work/map/optimize.txt"
grep -E "^flat field|Schur" "$work/map/optimize.txt"
