# The StatefulSet controller in the real daemon, with the kubelet on the fake runtime,
# observed with real kubectl: ordered creation, scale down, a partitioned rolling update,
# rollout history and undo, and the claims of volumeClaimTemplates.
ukube_add_test(statefulset_kubectl_test SOURCES statefulset_kubectl_test.cpp)
add_dependencies(statefulset_kubectl_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction scheduler controller-statefulset controller-garbagecollector runtime-fake kubelet)
