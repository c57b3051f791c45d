// The library's registrar: identity and factory only; the plugin lives in scheduler_plugin.cpp.
#include "ukube/plugin.h"
#include "scheduler/config.pb.h"
#include "scheduler_plugin.h"

namespace {

const ukube::PluginDescriptor& descriptor() {
  static const ukube::PluginDescriptor d = [] {
    ukube::PluginDescriptor d;
    d.abi_version = UKUBE_PLUGIN_ABI_VERSION;
    d.api_hash = UKUBE_PLUGIN_API_HASH;
    d.type = "ukube.scheduler.v1";
    d.id = "default";
    d.requires_ = {"ukube.types.v1"};
    d.config_prototype = &ukube::scheduler::config::SchedulerConfig::default_instance();
    d.create = [] { return std::unique_ptr<ukube::Plugin>(new ukube::scheduler::SchedulerPlugin); };
    return d;
  }();
  return d;
}

}  // namespace

UKUBE_PLUGIN("ukube.scheduler.v1", "default", descriptor)
