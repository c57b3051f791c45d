// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "bootstrap_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.authenticator.v1", "bootstrap-token",
                    ukube::authn::bootstrap::BootstrapTokenPlugin, nullptr, "ukube.types.v1")
