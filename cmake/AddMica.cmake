#===- AddMica.cmake - thin wrappers over AddMLIR ----------------------------===#

# mica_link_mlir(target [PUBLIC|PRIVATE] libs...): link upstream MLIR libraries,
# through libMLIR.so when MLIR_LINK_MLIR_DYLIB is on. Never list MLIR libraries
# in add_mlir_*library's LINK_LIBS (that pulls in the static archives).
function(mica_link_mlir target)
  mlir_target_link_libraries(${target} ${ARGN})
endfunction()

# add_mica_library(name srcs... [DEPENDS ...] [MLIR_LIBS ...] [LINK_LIBS ...])
# An installed Mica library exported in MicaTargets.
function(add_mica_library name)
  cmake_parse_arguments(ARG "" "" "MLIR_LIBS;LINK_LIBS;DEPENDS" ${ARGN})
  add_mlir_library(${name} ${ARG_UNPARSED_ARGUMENTS}
    DEPENDS ${ARG_DEPENDS}
    DISABLE_INSTALL)
  if(ARG_MLIR_LIBS)
    mlir_target_link_libraries(${name} PUBLIC ${ARG_MLIR_LIBS})
  endif()
  if(ARG_LINK_LIBS)
    target_link_libraries(${name} PUBLIC ${ARG_LINK_LIBS})
  endif()
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${MICA_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${MICA_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  install(TARGETS ${name} EXPORT MicaTargets
    ARCHIVE DESTINATION lib LIBRARY DESTINATION lib)
  set_property(GLOBAL APPEND PROPERTY MICA_LIBS ${name})
endfunction()
