# The node IPAM controller in the real daemon, observed with real kubectl: the kubelet's
# node and nodes made with kubectl get the next free /24 of the cluster CIDR, a full range
# leaves a node waiting (CIDRNotAvailable) until a deleted node's block is free, and the
# API refuses a change of a node's pod CIDRs with upstream's message.
ukube_add_test(nodeipam_kubectl_test SOURCES nodeipam_kubectl_test.cpp)
add_dependencies(nodeipam_kubectl_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction scheduler controller-nodeipam runtime-fake kubelet)
