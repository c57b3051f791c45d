# Encryption at rest (encryption_config) in the real daemon with real kubectl.
ukube_add_test(encryption_test SOURCES encryption_test.cpp)
add_dependencies(encryption_test ukube apiserver builtin-types authn-x509 rbac)
set_tests_properties(encryption_test PROPERTIES TIMEOUT 300)
