# The scheduler in the real daemon with real kubectl, and the out-of-tree scheduler
# plugin example built against a staged SDK (plugin-api headers + libukube-core), the way
# a third party builds it.
set(_sdk ${CMAKE_BINARY_DIR}/sdk-staging)
set(_example_build ${CMAKE_BINARY_DIR}/sdk-example-scheduler-plugin)
file(GLOB _example_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/sdk/examples/scheduler-plugin/*)
file(GLOB_RECURSE _api_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/plugin-api/include/ukube/*.h)
add_custom_command(
  OUTPUT ${_example_build}/prefer-label.so
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${_sdk}
  COMMAND ${CMAKE_COMMAND} -E copy_directory ${PROJECT_SOURCE_DIR}/plugin-api/include ${_sdk}/include
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_BINARY_DIR}/plugin-api/include/ukube/abi.h ${_sdk}/include/ukube/abi.h
  COMMAND ${CMAKE_COMMAND} -E make_directory ${_sdk}/lib
  COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:ukube-core> ${_sdk}/lib/
  COMMAND ${CMAKE_COMMAND} -S ${PROJECT_SOURCE_DIR}/sdk/examples/scheduler-plugin -B ${_example_build}
          -G ${CMAKE_GENERATOR} -DUKUBE_PREFIX=${_sdk} -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
  COMMAND ${CMAKE_COMMAND} --build ${_example_build}
  DEPENDS ukube-core ${_example_sources} ${_api_headers}
  COMMENT "Building the out-of-tree scheduler plugin example against the staged SDK")
add_custom_target(sdk_scheduler_plugin_example DEPENDS ${_example_build}/prefer-label.so)

ukube_add_test(scheduler_kubectl_test SOURCES scheduler_kubectl_test.cpp)
add_dependencies(scheduler_kubectl_test ukube apiserver builtin-types authn-x509 rbac scheduler sdk_scheduler_plugin_example)
target_compile_definitions(scheduler_kubectl_test PRIVATE UKUBE_SDK_EXAMPLE_DIR="${_example_build}")
