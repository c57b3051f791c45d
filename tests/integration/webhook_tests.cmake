# Dynamic admission webhooks in the real daemon, driven by real kubectl, against an HTTPS
# webhook server (python3's http.server + ssl) the test starts with a throwaway CA.
ukube_add_test(webhook_test SOURCES webhook_test.cpp LIBS Boost::json)
add_dependencies(webhook_test ukube apiserver builtin-types authn-x509 rbac admission-webhook)
