#include "deployment_plugin.h"

#include "controllers/deployment/config.pb.h"
#include "deployment_controller.h"

namespace ukube::controllers::deployment {

DeploymentPlugin::DeploymentPlugin() : ControllerPlugin({"deployment", "deployment-controller"}) {}

void DeploymentPlugin::configure(InitContext& ctx) {
  settings_ = controller::controller_settings(ctx.config_as<DeploymentConfig>(), 5);
}

std::unique_ptr<controller::RunningController> DeploymentPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<DeploymentController>(deps, settings_.workers);
}

}  // namespace ukube::controllers::deployment
