# The scheduler in the real daemon with real kubectl, and the out-of-tree scheduler
# plugin example (sdk_examples.cmake).
ukube_add_test(scheduler_kubectl_test SOURCES scheduler_kubectl_test.cpp)
add_dependencies(scheduler_kubectl_test ukube apiserver builtin-types authn-x509 rbac scheduler
                 sdk_example_scheduler-plugin)
target_compile_definitions(scheduler_kubectl_test PRIVATE
                           UKUBE_SDK_EXAMPLE_DIR="${CMAKE_BINARY_DIR}/sdk-example-scheduler-plugin")
