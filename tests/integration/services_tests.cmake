# Service cluster IPs, node ports and the kubernetes Service (the service-allocator
# admission plugin) in the real daemon with real kubectl, across a kill -9.
ukube_add_test(services_kubectl_test SOURCES services_kubectl_test.cpp)
add_dependencies(services_kubectl_test ukube apiserver builtin-types authn-x509 rbac admission-service-allocator
                 controller-endpoints controller-endpointslice)
