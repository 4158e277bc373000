#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan + coverage) in build-fuzz/ and
# runs each on its seed corpus (tests/fuzz/corpus/<target>/) for a bounded number of inputs.
# docs/reliability.md §Fuzzing has the targets, the limits and the results of long runs.
#
#   scripts/fuzz.sh                         CI: every target, RUNS inputs or SECONDS each
#   scripts/fuzz.sh --runs 1000000 --seconds 0 csv     a long local run of one target
#   scripts/fuzz.sh --build-only            configure and build only
#   scripts/fuzz.sh --build-dir DIR ...     another build folder (default build-fuzz)
#
# New interesting inputs go to build-fuzz/corpus/<target>/ (not into the repository); crashes,
# leaks, timeouts and out-of-memory inputs to build-fuzz/artifacts/<target>/. Reproduce one with
#   build-fuzz/fuzz/airy_fuzz_<target> build-fuzz/artifacts/<target>/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."

runs=20000      # inputs per target (CI)
seconds=30      # fuzzing time cap per target (CI: each target, start-up included, < 1 minute)
build_only=0
build_dir=build-fuzz
targets=()
while (($#)); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --build-dir) build_dir=$2; shift 2 ;;
    config|fits|csv) targets+=("$1"); shift ;;
    *) echo "usage: $0 [--runs N] [--seconds S] [--build-only] [--build-dir DIR]" \
            "[config|fits|csv ...]" >&2; exit 2 ;;
  esac
done
((${#targets[@]})) || targets=(config fits csv)

for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool not found (apt-get install clang)" >&2; exit 1; }
done

cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g"
            -DAIRY_BUILD_FUZZERS=ON -DAIRY_BUILD_TESTS=OFF -DAIRY_BUILD_BENCHMARKS=OFF
            -DAIRY_BUILD_EXAMPLES=OFF -DAIRY_BUILD_CLI=OFF)
if command -v ccache >/dev/null; then cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
CC=clang CXX=clang++ cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
build_targets=()
for t in "${targets[@]}"; do build_targets+=("airy_fuzz_$t"); done
cmake --build "$build_dir" -j "$(nproc)" --target "${build_targets[@]}"
((build_only)) && exit 0

# allocator_may_return_null: cfitsio sizes some buffers from header values before airy sees
# them and handles a failed calloc (error status -> InvalidArgument); without it ASan aborts on
# the request itself. libFuzzer still reports any allocation above -rss_limit_mb that succeeds.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in "${targets[@]}"; do
  corpus=$build_dir/corpus/$t
  artifacts=$build_dir/artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  # A fixed libFuzzer seed (FUZZ_SEED, default 1) makes the CI step reproducible: the same
  # inputs in the same order on every run, so a finding fails CI every time, not at random.
  args=(-seed="${FUZZ_SEED:-1}" -runs="$runs" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$artifacts/")
  [[ -f fuzz/$t.dict ]] && args+=(-dict="fuzz/$t.dict")
  echo "fuzz: $t (${args[*]})"
  start=$(date +%s)
  # New inputs land in the first corpus folder; the seeds (and fixed crash reproducers) are read
  # from the second and never modified.
  "$build_dir/fuzz/airy_fuzz_$t" "${args[@]}" "$corpus" "tests/fuzz/corpus/$t" \
    2> "$build_dir/fuzz_$t.log" || { tail -60 "$build_dir/fuzz_$t.log"; exit 1; }
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' \
    "$build_dir/fuzz_$t.log" | sed "s/^/fuzz: $t: /"
  echo "fuzz: $t: $(( $(date +%s) - start )) s"
done
