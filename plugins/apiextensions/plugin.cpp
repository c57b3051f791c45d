// The library's registrar: identity and factory only; the plugin lives in apiextensions_plugin.cpp.
#include "ukube/plugin.h"
#include "apiextensions_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.types.v1", "apiextensions", ukube::apiextensions::ApiExtensionsPlugin, nullptr,
                    "ukube.types.v1.builtin")
