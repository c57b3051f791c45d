# Helpers shared by every target.

# ukube_add_plugin(<name> SOURCES ... [PROTOS ...] [LIBS ...])
# Builds lib/ukube/plugins/<name>.so against plugin-api and libukube-core only.
function(ukube_add_plugin name)
  cmake_parse_arguments(P "" "" "SOURCES;PROTOS;LIBS" ${ARGN})
  add_library(${name} MODULE ${P_SOURCES})
  if(P_PROTOS)
    # Protos are named relative to plugins/ ("runc/config.proto"): Protobuf's global
    # registry aborts the process when two loaded libraries register the same file name.
    protobuf_generate(TARGET ${name} LANGUAGE cpp PROTOS ${P_PROTOS}
                      IMPORT_DIRS ${PROJECT_SOURCE_DIR}/plugins
                      PROTOC_OUT_DIR ${CMAKE_BINARY_DIR}/plugins-proto)
    target_include_directories(${name} PRIVATE ${CMAKE_BINARY_DIR}/plugins-proto)
  endif()
  target_link_libraries(${name} PRIVATE ukube-core ${P_LIBS})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${UKUBE_PLUGIN_OUTPUT_DIRECTORY}
    BUILD_RPATH "$ORIGIN/../..")
endfunction()
