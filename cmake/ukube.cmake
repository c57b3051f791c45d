# Helpers shared by every target.

# ukube_add_subfolders(): adds every folder beside the calling CMakeLists.txt that has a
# CMakeLists.txt of its own, re-checked at build time, so a new plugin (or its tests) is
# picked up without editing its parent.
function(ukube_add_subfolders)
  file(GLOB _dirs LIST_DIRECTORIES true CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*)
  foreach(d IN LISTS _dirs)
    if(IS_DIRECTORY ${d} AND EXISTS ${d}/CMakeLists.txt)
      add_subdirectory(${d})
    endif()
  endforeach()
endfunction()

# ukube_plugin_protos(<target> <proto>...)
# Generates C++ for a plugin's protos, named relative to plugins/ ("apiserver/config.proto"):
# Protobuf's process-wide registry aborts when two loaded libraries register the same file
# name, and every plugin has a config.proto. CMake 3.25's protobuf_generate always puts the
# current source dir first on protoc's path, so protoc is run directly.
function(ukube_plugin_protos target)
  set(_root ${CMAKE_BINARY_DIR}/plugins-proto)
  file(RELATIVE_PATH _dir ${PROJECT_SOURCE_DIR}/plugins ${CMAKE_CURRENT_SOURCE_DIR})
  foreach(proto IN LISTS ARGN)
    get_filename_component(_name ${proto} NAME_WE)
    set(_out ${_root}/${_dir}/${_name})
    add_custom_command(
      OUTPUT ${_out}.pb.h ${_out}.pb.cc
      COMMAND ${CMAKE_COMMAND} -E make_directory ${_root}
      COMMAND protobuf::protoc --cpp_out=${_root} -I ${PROJECT_SOURCE_DIR}/plugins ${CMAKE_CURRENT_SOURCE_DIR}/${proto}
      DEPENDS ${proto} protobuf::protoc
      COMMENT "Generating ${_dir}/${_name}.pb.cc")
    target_sources(${target} PRIVATE ${_out}.pb.cc)
  endforeach()
  target_include_directories(${target} PUBLIC ${_root})
endfunction()

# ukube_add_plugin(<name> SOURCES ... [PROTOS ...] [LIBS ...])
# Builds lib/ukube/plugins/<name>.so against plugin-api and libukube-core only.
function(ukube_add_plugin name)
  cmake_parse_arguments(P "" "" "SOURCES;PROTOS;LIBS" ${ARGN})
  add_library(${name} MODULE ${P_SOURCES})
  if(P_PROTOS)
    ukube_plugin_protos(${name} ${P_PROTOS})
  endif()
  target_link_libraries(${name} PRIVATE ukube-core ${P_LIBS})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${UKUBE_PLUGIN_OUTPUT_DIRECTORY}
    BUILD_RPATH "$ORIGIN/../..")
endfunction()

# ukube_plugin(<name> SOURCES ... [PROTOS ...] [LIBS ...])
# One plugin folder: its code as the object library <name>-objects, which tests link so
# they exercise the very objects the plugin is made of, and lib/ukube/plugins/<name>.so
# made of those objects and the folder's plugin.cpp (the registrar). The objects compile
# against libukube-core's interface only; the .so links libukube-core, a test libukube-kernel.a. A plugin sees
# plugin-api, sdk/machinery and its own folder; shared code lives in sdk/machinery.
function(ukube_plugin name)
  cmake_parse_arguments(P "" "" "SOURCES;PROTOS;LIBS" ${ARGN})
  add_library(${name}-objects OBJECT ${P_SOURCES})
  if(P_PROTOS)
    ukube_plugin_protos(${name}-objects ${P_PROTOS})
  endif()
  target_include_directories(${name}-objects PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name}-objects PUBLIC ukube-core-interface ukube-runtime ${P_LIBS})
  set_target_properties(${name}-objects PROPERTIES CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  ukube_add_plugin(${name} SOURCES plugin.cpp LIBS ${name}-objects)
endfunction()
