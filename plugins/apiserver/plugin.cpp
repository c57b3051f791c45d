#include "ukube/plugin.h"
#include "apiserver/apiserver_plugin.h"
#include "apiserver/config.pb.h"

namespace {

const ukube::PluginDescriptor& descriptor() {
  static const ukube::PluginDescriptor d = [] {
    ukube::PluginDescriptor d;
    d.abi_version = UKUBE_PLUGIN_ABI_VERSION;
    d.api_hash = UKUBE_PLUGIN_API_HASH;
    d.type = "ukube.apiserver.v1";
    d.id = "apiserver";
    d.config_prototype = &ukube::apiserver::ApiServerConfig::default_instance();
    d.create = [] { return std::unique_ptr<ukube::Plugin>(new ukube::apiserver::ApiServerPlugin); };
    return d;
  }();
  return d;
}

}  // namespace

UKUBE_PLUGIN("ukube.apiserver.v1", "apiserver", descriptor)
