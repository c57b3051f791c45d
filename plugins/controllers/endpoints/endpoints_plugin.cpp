#include "endpoints_plugin.h"

#include "controllers/endpoints/config.pb.h"
#include "endpoints_controller.h"

namespace ukube::controllers::endpoints {

EndpointsPlugin::EndpointsPlugin() : ControllerPlugin({"endpoints", "endpoint-controller"}) {}

void EndpointsPlugin::configure(InitContext& ctx) {
  settings_ = controller::controller_settings(ctx.config_as<EndpointsConfig>(), kDefaultWorkers);
}

std::unique_ptr<controller::RunningController> EndpointsPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<EndpointsController>(deps, settings_.workers);
}

}  // namespace ukube::controllers::endpoints
