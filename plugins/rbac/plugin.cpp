// The library's registrar: identity and factory only; the plugin lives in rbac_plugin.cpp.
#include "ukube/plugin.h"
#include "rbac_plugin.h"

namespace {

const ukube::PluginDescriptor& descriptor() {
  static const ukube::PluginDescriptor d = [] {
    ukube::PluginDescriptor d;
    d.abi_version = UKUBE_PLUGIN_ABI_VERSION;
    d.api_hash = UKUBE_PLUGIN_API_HASH;
    d.type = "ukube.authorizer.v1";
    d.id = "rbac";
    d.requires_ = {"ukube.types.v1"};
    d.config_prototype = nullptr;
    d.create = [] { return std::unique_ptr<ukube::Plugin>(new ukube::rbac::RbacPlugin); };
    return d;
  }();
  return d;
}

}  // namespace

UKUBE_PLUGIN("ukube.authorizer.v1", "rbac", descriptor)
