#include "mirroring_plugin.h"

#include "controllers/endpointslicemirroring/config.pb.h"

namespace ukube::controllers::mirroring {

MirroringPlugin::MirroringPlugin()
    : ControllerPlugin({"endpointslicemirroring", "endpointslicemirroring-controller"}) {}

void MirroringPlugin::configure(InitContext& ctx) {
  const auto& config = ctx.config_as<EndpointSliceMirroringConfig>();
  settings_ = controller::controller_settings(config, MirroringSettings{}.workers);
  mirroring_.workers = settings_.workers;
  if (config.max_endpoints_per_subset() > 0)
    mirroring_.max_endpoints_per_subset = config.max_endpoints_per_subset();
}

std::unique_ptr<controller::RunningController> MirroringPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<MirroringController>(deps, mirroring_);
}

}  // namespace ukube::controllers::mirroring
