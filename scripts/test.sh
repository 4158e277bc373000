#!/usr/bin/env bash
# The README's second command: install what is missing, build everything (warnings are
# errors) and run the whole test suite through CTest.
#   scripts/test.sh              Release build in build/
#   scripts/test.sh --sanitize   ASan+UBSan build in build-asan/ (what .ci/run adds)
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=Release -DAIRY_WARNINGS_AS_ERRORS=ON)
ctest_args=()
if [[ "${1:-}" == "--sanitize" ]]; then
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
