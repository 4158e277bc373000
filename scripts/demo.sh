#!/usr/bin/env bash
# The README's first command: install what is missing, build airy in Release and run the
# flagship demo (binary star + Zernike aberrations, 4 NUTS chains). Outputs go to
# ./airy-demo/ (or the directory given as the first argument).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-airy-demo}"
bash "$root/scripts/deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target airy_cli
"$root/build/apps/airy/airy" demo --out "$out" --overwrite
