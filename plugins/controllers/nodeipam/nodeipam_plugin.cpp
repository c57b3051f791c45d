#include "nodeipam_plugin.h"

#include "controllers/nodeipam/config.pb.h"
#include "range_allocator.h"

namespace ukube::controllers::nodeipam {

NodeIpamPlugin::NodeIpamPlugin() : ControllerPlugin({"nodeipam", "node-controller"}) {}

void NodeIpamPlugin::configure(InitContext& ctx) {
  ipam_ = defaults(ctx.config_as<NodeIpamConfig>());
  settings_ = ipam_.controller;
}

std::unique_ptr<controller::RunningController> NodeIpamPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<RangeAllocator>(deps, ipam_);
}

}  // namespace ukube::controllers::nodeipam
