#!/usr/bin/env bash
# Installs the Release build of airy into a scratch prefix and builds and runs
# examples/custom_density against it with find_package(airy): what an outside program does.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
cmake -S "$root/examples/custom_density" -B "$prefix/example-build" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$prefix/example-build" -j "$(nproc)" >/dev/null
"$prefix/example-build/airy_example_custom_density" >/dev/null
echo "install check: find_package(airy) consumer built and ran: 1 passed, 0 failed"
