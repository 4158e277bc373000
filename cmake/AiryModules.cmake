# SPDX-License-Identifier: BSD-3-Clause
# One static library per module folder: src/<module>/*.cpp minus the *_test.cpp and
# *_bench.cpp files beside them (Ceres layout). Globbing keeps modules independent: a new
# file needs no CMake edit.
set(AIRY_MODULE_TARGETS "")
set(AIRY_MODULES "")

# Private (non-public-header) dependencies of each module.
if(AIRY_WITH_FFTW)
  set(AIRY_PRIVATE_DEPS_optics PkgConfig::FFTW3)
endif()
set(AIRY_PRIVATE_DEPS_io PkgConfig::CFITSIO PkgConfig::NETCDF PkgConfig::TOMLPP)
set(AIRY_PRIVATE_DEPS_plot PkgConfig::CAIRO)
set(AIRY_PRIVATE_DEPS_config PkgConfig::TOMLPP)
set(AIRY_PRIVATE_DEPS_pipeline PkgConfig::TOMLPP)
if(NLOPT_FOUND)
  set(AIRY_PRIVATE_DEPS_posterior PkgConfig::NLOPT)
endif()
# Tests read small TOML fixtures (tests/fixtures) with toml++.
set(AIRY_TEST_DEPS PkgConfig::TOMLPP)

function(airy_module name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  list(FILTER srcs EXCLUDE REGEX "_(test|bench)\\.cpp$")
  if(NOT srcs)
    return()
  endif()
  set(target airy_${name})
  add_library(${target} STATIC ${srcs})
  add_library(airy::${name} ALIAS ${target})
  target_include_directories(${target}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
           ${RANDOM123_INCLUDE_DIR}
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  # One heap alignment for every translation unit that shares Eigen objects with airy, whatever
  # its -march: Eigen frees with the alignment it allocated with (64 bytes covers AVX-512).
  target_compile_definitions(${target} PUBLIC EIGEN_MAX_ALIGN_BYTES=64)
  target_link_libraries(${target} PUBLIC Eigen3::Eigen Threads::Threads
                        PRIVATE fmt::fmt $<BUILD_INTERFACE:airy_build_flags>
                                ${AIRY_PRIVATE_DEPS_${name}})
  foreach(dep IN LISTS ARG_DEPS)
    if(TARGET airy_${dep})
      target_link_libraries(${target} PUBLIC airy_${dep})
    endif()
  endforeach()
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  set(AIRY_MODULE_TARGETS ${AIRY_MODULE_TARGETS} ${target} PARENT_SCOPE)
  set(AIRY_MODULES ${AIRY_MODULES} ${name} PARENT_SCOPE)
endfunction()

# Tests: one GoogleTest executable per module from src/<module>/*_test.cpp.
function(airy_add_module_tests)
  foreach(name IN LISTS AIRY_MODULES)
    file(GLOB all_tests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*_test.cpp)
    # *_slow_test.cpp (long statistical runs) form a second executable labelled "slow", which
    # the sanitizer build skips.
    set(slow_tests ${all_tests})
    list(FILTER slow_tests INCLUDE REGEX "_slow_test\\.cpp$")
    set(fast_tests ${all_tests})
    list(FILTER fast_tests EXCLUDE REGEX "_slow_test\\.cpp$")
    if(fast_tests)
      airy_module_test_exe(${name} airy_${name}_test "${fast_tests}" ${name})
    endif()
    if(slow_tests AND AIRY_BUILD_SLOW_TESTS)
      airy_module_test_exe(${name} airy_${name}_slow_test "${slow_tests}" slow)
    endif()
  endforeach()
endfunction()

function(airy_module_test_exe name exe tests labels)
    add_executable(${exe} ${tests})
    target_include_directories(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/src
                               ${RANDOM123_INCLUDE_DIR})
    # A module's tests link only that module (and what it depends on) plus the gradient
    # checker, so each module builds and tests on its own.
    set(test_libs airy_${name})
    if(TARGET airy_testing AND NOT name STREQUAL "testing")
      list(APPEND test_libs airy_testing)
    endif()
    target_link_libraries(${exe} PRIVATE ${test_libs} GTest::gtest GTest::gtest_main
                          GTest::gmock fmt::fmt airy_build_flags ${AIRY_TEST_DEPS}
                          ${AIRY_PRIVATE_DEPS_${name}})
    target_compile_definitions(${exe} PRIVATE AIRY_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    gtest_discover_tests(${exe} DISCOVERY_MODE PRE_TEST WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
                         PROPERTIES LABELS "${labels}")
endfunction()

# Benchmarks: one Google Benchmark executable per module from src/<module>/*_bench.cpp.
function(airy_add_module_benchmarks)
  foreach(name IN LISTS AIRY_MODULES)
    file(GLOB benches CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*_bench.cpp)
    if(NOT benches)
      continue()
    endif()
    add_executable(airy_${name}_bench ${benches})
    target_include_directories(airy_${name}_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(airy_${name}_bench PRIVATE airy_${name} benchmark::benchmark
                          benchmark::benchmark_main fmt::fmt airy_build_flags)
  endforeach()
endfunction()
