// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "x509_authenticator.h"

UKUBE_DEFINE_PLUGIN("ukube.authenticator.v1", "x509", ukube::authn::X509Plugin, nullptr)
