# The namespace controller in the real daemon with real kubectl.
ukube_add_test(namespace_kubectl_test SOURCES namespace_controller_test.cpp)
add_dependencies(namespace_kubectl_test ukube apiserver builtin-types authn-x509 rbac controller-namespace)
