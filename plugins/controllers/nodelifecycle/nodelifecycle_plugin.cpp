#include "nodelifecycle_plugin.h"

#include "controllers/nodelifecycle/config.pb.h"

namespace ukube::controllers::nodelifecycle {

NodeLifecyclePlugin::NodeLifecyclePlugin() : ControllerPlugin({"nodelifecycle", "node-controller"}) {}

void NodeLifecyclePlugin::configure(InitContext& ctx) {
  const auto& config = ctx.config_as<NodeLifecycleConfig>();
  settings_.workers = 1;
  settings_.leader_elect = config.leader_elect();
  if (config.node_monitor_grace_period_seconds() > 0)
    lifecycle_.grace_period = std::chrono::seconds(config.node_monitor_grace_period_seconds());
  if (config.node_monitor_period_ms() > 0)
    lifecycle_.period = std::chrono::milliseconds(config.node_monitor_period_ms());
}

std::unique_ptr<controller::RunningController> NodeLifecyclePlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<NodeLifecycleController>(deps, lifecycle_);
}

}  // namespace ukube::controllers::nodelifecycle
