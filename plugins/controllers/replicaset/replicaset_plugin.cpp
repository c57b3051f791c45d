#include "replicaset_plugin.h"

#include "controllers/replicaset/config.pb.h"
#include "ukube/controller/replica_controller.h"
#include "ukube/controller/replica_kind.h"

namespace ukube::controllers::replicaset {

ReplicaSetPlugin::ReplicaSetPlugin() : ControllerPlugin({"replicaset", "replicaset-controller"}) {}

void ReplicaSetPlugin::configure(InitContext& ctx) {
  settings_ = controller::controller_settings(ctx.config_as<ReplicaSetConfig>(), 5);
}

std::unique_ptr<controller::RunningController> ReplicaSetPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<controller::ReplicaController>(deps, controller::replica_set_kind(),
                                                         settings_.workers);
}

}  // namespace ukube::controllers::replicaset
