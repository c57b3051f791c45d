# The kubelet on the fake runtime in the real daemon, observed with real kubectl: nodes
# register and heartbeat, pods run, restart, fail to pull and terminate gracefully.
ukube_add_test(kubelet_kubectl_test SOURCES kubelet_kubectl_test.cpp)
add_dependencies(kubelet_kubectl_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction scheduler controller-replicaset controller-deployment
                 runtime-fake kubelet)
