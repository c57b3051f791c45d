# Cluster DNS in the real daemon: Services and EndpointSlices made with real kubectl, asked
# for through glibc's resolver on the plugin's loopback port, with an upstream on 127.0.0.1.
ukube_add_test(dns_kubectl_test SOURCES dns_kubectl_test.cpp LIBS resolv)
add_dependencies(dns_kubectl_test ukube apiserver builtin-types authn-x509 rbac dns)
