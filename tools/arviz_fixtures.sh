#!/usr/bin/env bash
# Regenerate tests/fixtures/diagnostics/*.toml with ArviZ (run from anywhere).
# Creates tools/.venv-arviz (git-ignored) with pinned versions on first use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv-arviz"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "arviz==0.23.4" "numpy==2.4.6" "scipy==1.17.1" "xarray==2026.9.0" "xarray-einstats==0.9.1"
fi
"$venv/bin/python" "$here/arviz_fixtures.py" "$@"
