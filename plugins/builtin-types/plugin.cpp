// The library's registrar: identity and factory only; the plugin lives in builtin_plugin.cpp.
#include "ukube/plugin.h"
#include "builtin_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.types.v1", "builtin", ukube::builtin::BuiltinTypesPlugin, nullptr)
