// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "anonymous.h"

UKUBE_DEFINE_PLUGIN("ukube.authenticator.v1", "anonymous", ukube::authn::anonymous::AnonymousPlugin, nullptr)
