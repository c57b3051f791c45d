#include "disruption_plugin.h"

#include "controllers/disruption/config.pb.h"
#include "disruption_controller.h"

namespace ukube::controllers::disruption {

DisruptionPlugin::DisruptionPlugin() : ControllerPlugin({"disruption", "disruption-controller"}) {}

void DisruptionPlugin::configure(InitContext& ctx) {
  settings_ = controller::controller_settings(ctx.config_as<DisruptionConfig>(), 1);
}

std::unique_ptr<controller::RunningController> DisruptionPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<DisruptionController>(deps, settings_.workers);
}

}  // namespace ukube::controllers::disruption
