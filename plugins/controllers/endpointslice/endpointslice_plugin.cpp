#include "endpointslice_plugin.h"

#include "controllers/endpointslice/config.pb.h"
#include "endpointslice_controller.h"

namespace ukube::controllers::endpointslice {

EndpointSlicePlugin::EndpointSlicePlugin()
    : ControllerPlugin({"endpointslice", "endpointslice-controller"}) {}

void EndpointSlicePlugin::configure(InitContext& ctx) {
  slice_settings_ = defaults(ctx.config_as<EndpointSliceConfig>());
  settings_ = slice_settings_.controller;
}

std::unique_ptr<controller::RunningController> EndpointSlicePlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<EndpointSliceController>(deps, slice_settings_);
}

}  // namespace ukube::controllers::endpointslice
