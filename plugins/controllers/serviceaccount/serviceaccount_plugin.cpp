#include "serviceaccount_plugin.h"

#include "controllers/serviceaccount/config.pb.h"
#include "serviceaccounts_controller.h"

namespace ukube::controllers::serviceaccount {

ServiceAccountPlugin::ServiceAccountPlugin()
    : ControllerPlugin({"serviceaccount", "service-account-controller"}) {}

void ServiceAccountPlugin::configure(InitContext& ctx) {
  settings_ = controller::controller_settings(ctx.config_as<ServiceAccountConfig>(), 1);
}

std::unique_ptr<controller::RunningController> ServiceAccountPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<ServiceAccountsController>(deps, settings_.workers);
}

}  // namespace ukube::controllers::serviceaccount
