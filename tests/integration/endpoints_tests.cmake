# The endpoints and EndpointSlice controllers in the real daemon with real kubectl: an
# exposed pod is listed in its Service's Endpoints and EndpointSlices.
ukube_add_test(endpoints_kubectl_test SOURCES endpoints_controller_test.cpp)
add_dependencies(endpoints_kubectl_test ukube apiserver builtin-types authn-x509 rbac
                 controller-endpoints controller-endpointslice
                 controller-endpointslicemirroring controller-garbagecollector)
