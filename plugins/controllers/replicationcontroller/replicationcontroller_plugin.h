#pragma once

#include <memory>

#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.replicationcontroller: upstream's ReplicationController
// manager, acting as system:serviceaccount:kube-system:replication-controller. Upstream
// runs it on the ReplicaSet controller's code; so does this one.
namespace ukube::controllers::replicationcontroller {

class ReplicationControllerPlugin final : public controller::ControllerPlugin {
 public:
  ReplicationControllerPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;
};

}  // namespace ukube::controllers::replicationcontroller
