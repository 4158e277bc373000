#!/usr/bin/env bash
# The README's second command: install what is missing, build everything (warnings are
# errors) and run the whole test suite through CTest.
#   scripts/test.sh              Release build in build/
#   scripts/test.sh --sanitize   ASan+UBSan build in build-asan/ (what .ci/run adds)
# The Release run then tests the Python package (python/): a venv build/venv with the pinned
# python/requirements-test.txt, the package built into it by `pip install .` (persistent
# build-python-<wheel tag>/, so reruns are incremental) and pytest.
# Both builds go through ccache (scripts/deps.sh installs it), so the Python build compiles
# only what differs from the main build: the bindings, nanobind and fft.cpp (no FFTW in the
# wheel). docs/python.md "Build time" has the numbers.
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
              -DAIRY_BUILD_BENCHMARKS=OFF -DAIRY_BUILD_SLOW_TESTS=OFF)
  # Statistical sampler tests draw tens of thousands of NUTS iterations; under ASan they
  # only re-check what the Release run checked, so they are skipped here (label "slow"; their
  # executables are not even built, AIRY_BUILD_SLOW_TESTS=OFF).
  ctest_args=(-LE slow)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  # fontconfig (under Cairo's text) keeps process-lifetime caches that LeakSanitizer reports.
  export LSAN_OPTIONS=suppressions=$PWD/scripts/lsan.supp:print_suppressions=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

bash scripts/deps.sh
jobs=$(nproc)
if command -v ccache > /dev/null; then
  # base_dir: ccache rewrites absolute paths below it relative to the compiler's working
  # directory, so a translation unit compiled with the same flags in build/ and in
  # build-python-*/ (the same depth below the source tree) is one cache entry, whichever
  # folder the clone lives in.
  export CCACHE_BASEDIR="$PWD"
  cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
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
    "$venv/bin/pip" install -q pip==26.3
    "$venv/bin/pip" install -q -r "$req"
    echo "$want" > "$venv/.requirements.sha256"
  fi
  # The main build's compiler and flags (-Werror included), so that ccache serves its objects:
  # ccache hashes the compiler's name, and CMake found /usr/bin/c++ for build/ but
  # /usr/bin/g++ under pip (the same GCC, two cache entries per file).
  cxx="$(sed -n 's/^CMAKE_CXX_COMPILER:FILEPATH=//p' "$build_dir/CMakeCache.txt")"
  py_args=(-Ccmake.define.AIRY_WARNINGS_AS_ERRORS=ON "-Ccmake.define.CMAKE_CXX_COMPILER=$cxx")
  if command -v ccache > /dev/null; then
    py_args+=(-Ccmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  echo "== python: building and installing the airy package"
  py_start=$(date +%s)
  CMAKE_BUILD_PARALLEL_LEVEL="$jobs" "$venv/bin/pip" install -q --no-build-isolation --no-deps \
    "${py_args[@]}" .
  echo "== python: package built and installed in $(($(date +%s) - py_start)) s"
  AIRY_CLI="$PWD/$build_dir/apps/airy/airy" "$venv/bin/python" -m pytest -q python/tests
fi
