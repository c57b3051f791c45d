# The controllers in the real daemon with real kubectl. Until a kubelet runs pods, the
# tests write pod status themselves where a controller reads it.
ukube_add_test(controllers_kubectl_test SOURCES controllers_kubectl_test.cpp)
add_dependencies(controllers_kubectl_test ukube apiserver builtin-types authn-x509 rbac controller-replicaset
                 controller-replicationcontroller controller-deployment)
