# SPDX-License-Identifier: BSD-3-Clause
# libFuzzer targets for the readers (fuzz/, docs/reliability.md §Fuzzing). Every library object
# gets coverage instrumentation plus ASan and UBSan (-fsanitize=fuzzer-no-link,...); the fuzz
# executables link libFuzzer's main (-fsanitize=fuzzer,...). scripts/fuzz.sh configures and runs
# them in build-fuzz/.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "AIRY_BUILD_FUZZERS needs clang (libFuzzer); CMAKE_CXX_COMPILER is "
                      "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER}. Configure with "
                      "CXX=clang++ (scripts/fuzz.sh does).")
endif()
if(AIRY_SANITIZE)
  message(FATAL_ERROR "AIRY_BUILD_FUZZERS adds its own sanitizers: leave AIRY_SANITIZE empty")
endif()
set(AIRY_FUZZ_SANITIZERS address,undefined)
# -fno-sanitize-recover: every UBSan report is a crash that libFuzzer records with its input.
target_compile_options(airy_build_flags INTERFACE
                       -fsanitize=fuzzer-no-link,${AIRY_FUZZ_SANITIZERS}
                       -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_link_options(airy_build_flags INTERFACE -fsanitize=${AIRY_FUZZ_SANITIZERS})
