# The kubelet on the fake runtime in the real daemon, observed with real kubectl: nodes
# register and heartbeat, pods run, restart, fail to pull and terminate gracefully.
ukube_add_test(kubelet_kubectl_test SOURCES kubelet_kubectl_test.cpp)
add_dependencies(kubelet_kubectl_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction scheduler controller-replicaset controller-deployment
                 controller-garbagecollector runtime-fake kubelet)

# The kubelet on the process runtime: real processes, SIGTERM, adoption after a kill -9.
add_executable(ukube-test-http-server test_http_server.cpp)
ukube_add_test(kubelet_process_test SOURCES kubelet_process_test.cpp)
add_dependencies(kubelet_process_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction scheduler controller-replicaset controller-deployment
                 authn-serviceaccount admission-service-account controller-serviceaccount controller-root-ca-cert-publisher controller-garbagecollector
                 runtime-process ukube-container-monitor kubelet ukube-test-http-server)
target_compile_definitions(kubelet_process_test PRIVATE
                           UKUBE_TEST_HTTP_SERVER="$<TARGET_FILE:ukube-test-http-server>")

# The kubelet on the runc runtime: OCI containers from the built-in busybox image, limits,
# adoption after a kill -9. Root and runc only; skips elsewhere.
ukube_add_test(kubelet_runc_test SOURCES kubelet_runc_test.cpp)
add_dependencies(kubelet_runc_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction scheduler controller-replicaset controller-deployment
                 authn-serviceaccount admission-service-account controller-serviceaccount controller-root-ca-cert-publisher controller-garbagecollector
                 runtime-runc ukube-container-monitor ukube-pause
                 kubelet)
