# CustomResourceDefinitions with real kubectl (the oldest and newest supported): schemas,
# defaults, validation, printer columns, status and scale, watch, cleanup, restart, and
# conversion through an HTTPS webhook.
ukube_add_test(crd_kubectl_test SOURCES crd_kubectl_test.cpp)
add_dependencies(crd_kubectl_test ukube apiserver builtin-types apiextensions authn-x509 rbac)
