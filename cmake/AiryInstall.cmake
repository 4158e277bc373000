# SPDX-License-Identifier: BSD-3-Clause
# install() rules and an exported package: find_package(airy REQUIRED) then airy::airy.
include(CMakePackageConfigHelpers)
install(DIRECTORY include/airy DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS airy ${AIRY_MODULE_TARGETS} EXPORT airyTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT airyTargets NAMESPACE airy:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/airy)
configure_package_config_file(cmake/airyConfig.cmake.in
  ${PROJECT_BINARY_DIR}/airyConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/airy)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/airyConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/airyConfig.cmake ${PROJECT_BINARY_DIR}/airyConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/airy)
