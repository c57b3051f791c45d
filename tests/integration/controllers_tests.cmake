# The controllers in the real daemon with real kubectl. Until a kubelet runs pods, the
# tests write pod status themselves where a controller reads it.
ukube_add_test(controllers_kubectl_test SOURCES controllers_kubectl_test.cpp)
add_dependencies(controllers_kubectl_test ukube apiserver builtin-types apiextensions authn-x509 rbac
                 controller-replicaset
                 controller-replicationcontroller
                 sdk_example_controller controller-deployment controller-garbagecollector)
target_compile_definitions(controllers_kubectl_test PRIVATE
                           UKUBE_SDK_CONTROLLER_DIR="${CMAKE_BINARY_DIR}/sdk-example-controller"
                           UKUBE_SDK_CONTROLLER_RBAC="${PROJECT_SOURCE_DIR}/sdk/examples/controller/rbac.yaml"
                           UKUBE_SDK_GREETING_CRD="${PROJECT_SOURCE_DIR}/sdk/examples/controller/greeting-crd.yaml")
