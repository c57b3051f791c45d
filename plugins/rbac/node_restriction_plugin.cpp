// The library's registrar: identity and factory only; the plugin lives in node_plugins.cpp.
#include "node_plugins.h"
#include "ukube/plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.admission.v1", "node-restriction", ukube::rbac::NodeRestrictionPlugin, nullptr,
                    "ukube.types.v1")
