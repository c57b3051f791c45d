#include "daemonset_plugin.h"

#include "controllers/daemonset/config.pb.h"
#include "daemonset_controller.h"

namespace ukube::controllers::daemonset {

DaemonSetPlugin::DaemonSetPlugin() : ControllerPlugin({"daemonset", "daemon-set-controller"}) {}

void DaemonSetPlugin::configure(InitContext& ctx) {
  settings_ = controller::controller_settings(ctx.config_as<DaemonSetConfig>(), 2);
}

std::unique_ptr<controller::RunningController> DaemonSetPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<DaemonSetController>(deps, settings_.workers);
}

}  // namespace ukube::controllers::daemonset
