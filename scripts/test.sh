#!/usr/bin/env bash
# The README's second command: install what is missing, build everything (warnings are
# errors) and run the whole test suite through CTest.
#   scripts/test.sh              Release build in build/
#   scripts/test.sh --sanitize   ASan+UBSan build in build-asan/ (what .ci/run adds)
# The Release run then tests the Python package (python/): a venv build/venv with the pinned
# python/requirements-test.txt, the package built into it (persistent build/python/, so reruns
# are incremental) and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=Release -DAIRY_WARNINGS_AS_ERRORS=ON)
ctest_args=()
python_step=1
if [[ "${1:-}" == "--sanitize" ]]; then
  python_step=0
  build_dir=build-asan
  # -O1 keeps the sanitized suite fast enough for 2 cores; benchmarks are not built.
  cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g"
              -DAIRY_WARNINGS_AS_ERRORS=ON -DAIRY_SANITIZE=address,undefined
              -DAIRY_BUILD_BENCHMARKS=OFF)
  # Statistical sampler tests draw tens of thousands of NUTS iterations; under ASan they
  # only re-check what the Release run checked, so they are skipped here (label "slow").
  ctest_args=(-LE slow)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  # fontconfig (under Cairo's text) keeps process-lifetime caches that LeakSanitizer reports.
  export LSAN_OPTIONS=suppressions=$PWD/scripts/lsan.supp:print_suppressions=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

bash scripts/deps.sh
jobs=$(nproc)
cmake -S . -B "$build_dir" "${cmake_args[@]}"
cmake --build "$build_dir" -j "$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" "${ctest_args[@]}"

if ((python_step)); then
  venv=build/venv
  req=python/requirements-test.txt
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [[ ! -x "$venv/bin/python" || "$(cat "$venv/.requirements.sha256" 2>/dev/null)" != "$want" ]]; then
    echo "== python: creating $venv (pinned: $req)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q -r "$req"
    echo "$want" > "$venv/.requirements.sha256"
  fi
  py_args=(-Ccmake.define.AIRY_WARNINGS_AS_ERRORS=ON)
  if command -v ccache > /dev/null; then
    py_args+=(-Ccmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  echo "== python: building and installing the airy package"
  CMAKE_BUILD_PARALLEL_LEVEL="$jobs" "$venv/bin/pip" install -q --no-build-isolation --no-deps \
    "${py_args[@]}" .
  AIRY_CLI="$PWD/$build_dir/apps/airy/airy" "$venv/bin/python" -m pytest -q python/tests
fi
