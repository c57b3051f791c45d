# The horizontal pod autoscaler in the real daemon with real kubectl, on the fake runtime's
# simulated CPU usage read through metrics.k8s.io.
ukube_add_test(hpa_kubectl_test SOURCES hpa_kubectl_test.cpp)
add_dependencies(hpa_kubectl_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction scheduler controller-replicaset controller-deployment
                 controller-horizontalpodautoscaling controller-garbagecollector runtime-fake kubelet)
