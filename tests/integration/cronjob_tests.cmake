# The CronJob controller and the pod garbage collector in the real daemon, on the fake
# runtime with a kubelet, observed with real kubectl.
ukube_add_test(cronjob_kubectl_test SOURCES cronjob_kubectl_test.cpp)
add_dependencies(cronjob_kubectl_test ukube apiserver builtin-types authn-x509 rbac authz-node
                 admission-node-restriction scheduler controller-cronjob controller-podgc controller-garbagecollector runtime-fake kubelet)
