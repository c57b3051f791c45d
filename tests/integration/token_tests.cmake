# Bearer tokens in the real daemon: ServiceAccount tokens with kubectl create token, the
# static token file, bootstrap tokens from `ukube token create`, anonymous access.
ukube_add_test(token_auth_test SOURCES token_auth_test.cpp)
add_dependencies(token_auth_test ukube apiserver builtin-types authn-x509 rbac authn-serviceaccount
                 authn-token-file authn-bootstrap-token authn-anonymous)
