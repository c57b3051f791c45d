#include "statefulset_plugin.h"

#include "controllers/statefulset/config.pb.h"
#include "statefulset_controller.h"

namespace ukube::controllers::statefulset {

StatefulSetPlugin::StatefulSetPlugin() : ControllerPlugin({"statefulset", "statefulset-controller"}) {}

void StatefulSetPlugin::configure(InitContext& ctx) {
  settings_ = controller::controller_settings(ctx.config_as<StatefulSetConfig>(), 5);
}

std::unique_ptr<controller::RunningController> StatefulSetPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<StatefulSetController>(deps, settings_.workers);
}

}  // namespace ukube::controllers::statefulset
