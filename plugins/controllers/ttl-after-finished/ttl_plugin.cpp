#include "ttl_plugin.h"

#include "controllers/ttl-after-finished/config.pb.h"
#include "ttl_controller.h"

namespace ukube::controllers::ttl {

TtlAfterFinishedPlugin::TtlAfterFinishedPlugin()
    : ControllerPlugin({"ttl-after-finished", "ttl-after-finished-controller"}) {}

void TtlAfterFinishedPlugin::configure(InitContext& ctx) {
  settings_ = controller::controller_settings(ctx.config_as<TtlAfterFinishedConfig>(), 5);
}

std::unique_ptr<controller::RunningController> TtlAfterFinishedPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<TtlAfterFinishedController>(deps, settings_.workers);
}

}  // namespace ukube::controllers::ttl
