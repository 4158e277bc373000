# SPDX-License-Identifier: BSD-3-Clause
# Every third-party dependency, found once (Debian packages only: scripts/deps.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(fmt REQUIRED)
find_package(CLI11 CONFIG QUIET)
if(AIRY_WITH_FFTW)
  pkg_check_modules(FFTW3 REQUIRED IMPORTED_TARGET fftw3)
endif()
pkg_check_modules(CFITSIO REQUIRED IMPORTED_TARGET cfitsio)
pkg_check_modules(NETCDF REQUIRED IMPORTED_TARGET netcdf)
pkg_check_modules(CAIRO REQUIRED IMPORTED_TARGET cairo)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(NLOPT IMPORTED_TARGET nlopt)
find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)

if(AIRY_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(AIRY_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()

# Warnings and sanitizers apply to every airy target through this interface library.
add_library(airy_build_flags INTERFACE)
target_compile_options(airy_build_flags INTERFACE -Wall -Wextra)
if(AIRY_AVX2)
  include(CheckCXXSourceRuns)
  check_cxx_source_runs("int main() { return __builtin_cpu_supports(\"avx2\") && __builtin_cpu_supports(\"fma\") ? 0 : 1; }"
                        AIRY_HOST_HAS_AVX2)
  if(AIRY_HOST_HAS_AVX2)
    # GCC 12's -Warray-bounds misreads Eigen's 256-bit packet loads on short fixed buffers
    # (code paths that are dead for those sizes); the sanitizer build checks real accesses.
    target_compile_options(airy_build_flags INTERFACE -march=x86-64-v3 -Wno-array-bounds)
  endif()
endif()
if(AIRY_WARNINGS_AS_ERRORS)
  target_compile_options(airy_build_flags INTERFACE -Werror)
endif()
if(AIRY_SANITIZE)
  target_compile_options(airy_build_flags INTERFACE -fsanitize=${AIRY_SANITIZE}
                                                    -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(airy_build_flags INTERFACE -fsanitize=${AIRY_SANITIZE})
endif()
