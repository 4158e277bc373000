#!/usr/bin/env bash
# Fails if any tracked C++ file differs from clang-format's output (.clang-format).
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
while IFS= read -r f; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not clang-formatted: $f"
    bad=$((bad + 1))
  fi
done < <(git ls-files '*.cpp' '*.hpp')
if ((bad)); then
  echo "format check: 0 passed, $bad failed"
  exit 1
fi
echo "format check: every C++ file is clang-formatted"
