# The Job and TTL-after-finished controllers in the real daemon, with the kubelet on the
# fake runtime, observed with real kubectl: jobs complete, fail after their back-off limit,
# run indexed pods, and are deleted once their TTL passed.
ukube_add_test(job_kubectl_test SOURCES job_kubectl_test.cpp)
add_dependencies(job_kubectl_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction scheduler controller-job controller-ttl-after-finished
                 controller-garbagecollector runtime-fake kubelet)
