#include "replicationcontroller_plugin.h"

#include "controllers/replicationcontroller/config.pb.h"
#include "ukube/controller/replica_controller.h"
#include "ukube/controller/replica_kind.h"

namespace ukube::controllers::replicationcontroller {

ReplicationControllerPlugin::ReplicationControllerPlugin()
    : ControllerPlugin({"replicationcontroller", "replication-controller"}) {}

void ReplicationControllerPlugin::configure(InitContext& ctx) {
  settings_ = controller::controller_settings(ctx.config_as<ReplicationControllerConfig>(), 5);
}

std::unique_ptr<controller::RunningController> ReplicationControllerPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<controller::ReplicaController>(deps, controller::replication_controller_kind(),
                                                         settings_.workers);
}

}  // namespace ukube::controllers::replicationcontroller
