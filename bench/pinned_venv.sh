# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the bench/ scripts: pinned_venv VENV REQUIREMENTS makes (or remakes, when the
# requirements file changed) a Python venv with exactly those PyPI pins. Benchmark tooling
# only: the library, the demo and .ci/run never need Python packages.
pinned_venv() {
  local venv="$1" req="$2"
  local stamp="$venv/.requirements.sha256" want
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "== creating $venv (pinned: $req)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q -r "$req"
    echo "$want" > "$stamp"
  fi
}
