# Pod networking on runc pods with cni-bridge: addresses from the node's podCIDR, pod to pod,
# teardown, kill -9 and reload. Root, runc and the CNI plugins only; skips elsewhere.
ukube_add_test(network_runc_test SOURCES network_runc_test.cpp)
add_dependencies(network_runc_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction admission-service-allocator scheduler authn-serviceaccount admission-service-account
                 controller-serviceaccount controller-root-ca-cert-publisher
                 controller-nodeipam controller-endpointslice proxy dns network-policy runtime-runc cni-bridge ukube-container-monitor ukube-pause kubelet)
set_tests_properties(network_runc_test PROPERTIES RESOURCE_LOCK pod-network)
