# The SDK as a third party installs it, staged in the build tree: the plugin-api and
# sdk/machinery headers and the libraries a plugin links. The out-of-tree examples in
# sdk/examples/ build against it and nothing else, the way a third party builds them.
set(UKUBE_SDK_STAGING ${CMAKE_BINARY_DIR}/sdk-staging)
file(GLOB_RECURSE _sdk_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/plugin-api/include/ukube/*.h
     ${PROJECT_SOURCE_DIR}/sdk/machinery/include/ukube/*.h)
add_custom_command(
  OUTPUT ${UKUBE_SDK_STAGING}/staged
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${UKUBE_SDK_STAGING}
  COMMAND ${CMAKE_COMMAND} -E copy_directory ${PROJECT_SOURCE_DIR}/plugin-api/include ${UKUBE_SDK_STAGING}/include
  COMMAND ${CMAKE_COMMAND} -E copy_directory ${PROJECT_SOURCE_DIR}/sdk/machinery/include ${UKUBE_SDK_STAGING}/include
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_BINARY_DIR}/plugin-api/include/ukube/abi.h ${UKUBE_SDK_STAGING}/include/ukube/abi.h
  COMMAND ${CMAKE_COMMAND} -E make_directory ${UKUBE_SDK_STAGING}/lib
  COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:ukube-core> $<TARGET_FILE:ukube-runtime> $<TARGET_FILE:ukube-machinery>
          ${UKUBE_SDK_STAGING}/lib/
  COMMAND ${CMAKE_COMMAND} -E touch ${UKUBE_SDK_STAGING}/staged
  DEPENDS ukube-core ukube-runtime ukube-machinery ${_sdk_headers}
  COMMENT "Staging the SDK (headers and libraries) for the out-of-tree examples")

# ukube_sdk_example(<folder> <library>...): builds sdk/examples/<folder> out of tree against
# the staged SDK into <build>/sdk-example-<folder>/<library>...; target sdk_example_<folder>.
function(ukube_sdk_example folder)
  set(_build ${CMAKE_BINARY_DIR}/sdk-example-${folder})
  list(TRANSFORM ARGN PREPEND ${_build}/ OUTPUT_VARIABLE _outputs)
  file(GLOB _sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/sdk/examples/${folder}/*)
  add_custom_command(
    OUTPUT ${_outputs}
    COMMAND ${CMAKE_COMMAND} -S ${PROJECT_SOURCE_DIR}/sdk/examples/${folder} -B ${_build} -G ${CMAKE_GENERATOR}
            -DUKUBE_PREFIX=${UKUBE_SDK_STAGING} -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
    COMMAND ${CMAKE_COMMAND} --build ${_build}
    DEPENDS ${UKUBE_SDK_STAGING}/staged ${_sources}
    COMMENT "Building the out-of-tree example sdk/examples/${folder} against the staged SDK")
  add_custom_target(sdk_example_${folder} DEPENDS ${_outputs})
endfunction()

ukube_sdk_example(scheduler-plugin prefer-label.so)
ukube_sdk_example(controller pod-counter.so greeting.so)
