// The library's registrar: identity and factory only; the plugin lives in node_authorizer_plugin.cpp.
#include "ukube/plugin.h"
#include "node_authorizer_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.authorizer.v1", "node", ukube::rbac::NodeAuthorizerPlugin, nullptr,
                    "ukube.types.v1")
