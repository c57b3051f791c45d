# PodDisruptionBudgets in the real daemon with real kubectl: the disruption controller
# keeps their status, and the eviction subresource (kubectl drain) honours them.
ukube_add_test(disruption_kubectl_test SOURCES disruption_kubectl_test.cpp)
add_dependencies(disruption_kubectl_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction scheduler controller-replicaset controller-deployment
                 controller-disruption controller-garbagecollector runtime-fake kubelet)
