# The DaemonSet controller in the real daemon, with four simulated kubelets on the fake
# runtime, observed with real kubectl: one pod per eligible node, taints and node
# selectors, rolling updates, rollout history and undo.
ukube_add_test(daemonset_kubectl_test SOURCES daemonset_kubectl_test.cpp)
add_dependencies(daemonset_kubectl_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction scheduler controller-daemonset controller-garbagecollector runtime-fake kubelet)
