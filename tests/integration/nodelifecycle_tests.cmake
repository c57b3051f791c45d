# The node lifecycle controller in the real daemon, observed with real kubectl: a node
# whose kubelet is silent turns Unknown and is tainted, its pods are evicted as their
# tolerations allow (a ReplicaSet's then run elsewhere), and a live node keeps its taints off.
ukube_add_test(nodelifecycle_kubectl_test SOURCES nodelifecycle_kubectl_test.cpp)
add_dependencies(nodelifecycle_kubectl_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction scheduler controller-nodelifecycle controller-replicaset
                 controller-garbagecollector runtime-fake kubelet)
