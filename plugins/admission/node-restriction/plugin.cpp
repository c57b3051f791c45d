// The library's registrar: identity and factory only; the plugin lives in node_restriction_plugin.cpp.
#include "ukube/plugin.h"
#include "node_restriction_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.admission.v1", "node-restriction", ukube::rbac::NodeRestrictionPlugin, nullptr,
                    "ukube.types.v1")
