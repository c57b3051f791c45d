# The admission plugins in the real daemon with real kubectl.
ukube_add_test(admission_test SOURCES admission_test.cpp)
add_dependencies(admission_test ukube apiserver builtin-types authn-x509 rbac admission-namespace-lifecycle
                 admission-service-account admission-limit-ranger admission-resource-quota
                 admission-default-toleration-seconds admission-priority controller-serviceaccount controller-root-ca-cert-publisher)
