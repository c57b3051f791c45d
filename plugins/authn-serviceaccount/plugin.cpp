// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "authn-serviceaccount/config.pb.h"
#include "sa_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.authenticator.v1", "serviceaccount", ukube::authn::sa::ServiceAccountPlugin,
                    &ukube::authn::serviceaccount::ServiceAccountConfig::default_instance(), "ukube.types.v1")
