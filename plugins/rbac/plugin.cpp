// The library's registrar: identity and factory only; the plugin lives in rbac_plugin.cpp.
#include "ukube/plugin.h"
#include "rbac_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.authorizer.v1", "rbac", ukube::rbac::RbacPlugin, nullptr, "ukube.types.v1")
