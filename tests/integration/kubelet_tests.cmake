# The kubelet on the fake runtime in the real daemon, observed with real kubectl: nodes
# register and heartbeat, pods run, restart, fail to pull and terminate gracefully.
ukube_add_test(kubelet_kubectl_test SOURCES kubelet_kubectl_test.cpp)
add_dependencies(kubelet_kubectl_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction scheduler controller-replicaset controller-deployment
                 runtime-fake kubelet)

# The kubelet on the process runtime: real processes, SIGTERM, adoption after a kill -9.
add_executable(ukube-test-http-server test_http_server.cpp)
ukube_add_test(kubelet_process_test SOURCES kubelet_process_test.cpp)
add_dependencies(kubelet_process_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction scheduler controller-replicaset controller-deployment
                 authn-serviceaccount admission-service-account runtime-process ukube-container-monitor kubelet ukube-test-http-server)
target_compile_definitions(kubelet_process_test PRIVATE
                           UKUBE_TEST_HTTP_SERVER="$<TARGET_FILE:ukube-test-http-server>")
