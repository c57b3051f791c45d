// The library's registrar: identity and factory only; the plugin lives in builtin_plugin.cpp.
#include "ukube/plugin.h"
#include "builtin_plugin.h"

namespace {

const ukube::PluginDescriptor& descriptor() {
  static const ukube::PluginDescriptor d = [] {
    ukube::PluginDescriptor d;
    d.abi_version = UKUBE_PLUGIN_ABI_VERSION;
    d.api_hash = UKUBE_PLUGIN_API_HASH;
    d.type = "ukube.types.v1";
    d.id = "builtin";
    d.config_prototype = nullptr;
    d.create = [] { return std::unique_ptr<ukube::Plugin>(new ukube::builtin::BuiltinTypesPlugin); };
    return d;
  }();
  return d;
}

}  // namespace

UKUBE_PLUGIN("ukube.types.v1", "builtin", descriptor)
