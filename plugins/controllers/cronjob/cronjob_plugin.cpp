#include "cronjob_plugin.h"

#include "controllers/cronjob/config.pb.h"
#include "cronjob_controller.h"

namespace ukube::controllers::cronjob {

CronJobPlugin::CronJobPlugin() : ControllerPlugin({"cronjob", "cronjob-controller"}) {}

void CronJobPlugin::configure(InitContext& ctx) {
  settings_ = controller::controller_settings(ctx.config_as<CronJobConfig>(), 5);
}

std::unique_ptr<controller::RunningController> CronJobPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<CronJobController>(deps, settings_.workers);
}

}  // namespace ukube::controllers::cronjob
