#===- MicaInstall.cmake - install rules and the Mica CMake package ----------===#
include(CMakePackageConfigHelpers)

install(DIRECTORY ${MICA_SOURCE_DIR}/include/mica ${MICA_SOURCE_DIR}/include/mica-c
  DESTINATION include FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
install(DIRECTORY ${MICA_BINARY_DIR}/include/mica
  DESTINATION include FILES_MATCHING PATTERN "*.inc")

install(EXPORT MicaTargets NAMESPACE Mica:: DESTINATION lib/cmake/mica)
configure_package_config_file(${MICA_SOURCE_DIR}/cmake/MicaConfig.cmake.in
  ${MICA_BINARY_DIR}/lib/cmake/mica/MicaConfig.cmake
  INSTALL_DESTINATION lib/cmake/mica)
write_basic_package_version_file(
  ${MICA_BINARY_DIR}/lib/cmake/mica/MicaConfigVersion.cmake
  VERSION 0.1.0 COMPATIBILITY SameMajorVersion)
install(FILES ${MICA_BINARY_DIR}/lib/cmake/mica/MicaConfig.cmake
  ${MICA_BINARY_DIR}/lib/cmake/mica/MicaConfigVersion.cmake
  DESTINATION lib/cmake/mica)
