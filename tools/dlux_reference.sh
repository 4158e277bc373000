#!/usr/bin/env bash
# Regenerate tests/fixtures/dlux/*.toml with real dLux 0.15.1 + dLuxToliman 0.5.1 (float64, CPU),
# then re-check every image with the numpy recipe of tests/fixtures/dlux/README.md.
# Creates tools/.venv-dlux (git-ignored; or $DLUX_VENV, e.g. build/venv-dlux) on first use.
# Needs PyPI. Takes ~2 minutes.
# Usage: [DLUX_VENV=dir] tools/dlux_reference.sh [outdir [config names...]]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${DLUX_VENV:-$here/.venv-dlux}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q \
    "dLux==0.15.1" "dLuxToliman==0.5.1" "jax==0.10.2" "jaxlib==0.10.2" "equinox==0.13.8" \
    "zodiax==0.5.0" "numpy==2.4.6" "scipy==1.17.1" "interpax==0.3.16" "abcdLux==0.0.2"
fi
JAX_PLATFORMS=cpu "$venv/bin/python" "$here/dlux_reference.py" "$@"
"$venv/bin/python" "$here/dlux_numpy_check.py" ${1:+$(ls "$1"/*.toml)}
