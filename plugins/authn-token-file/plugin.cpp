// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "authn-token-file/config.pb.h"
#include "token_file_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.authenticator.v1", "token-file", ukube::authn::tokenfile::TokenFilePlugin,
                    &ukube::authn::tokenfile::TokenFileConfig::default_instance())
