#pragma once

#include <memory>

#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.replicaset: upstream's ReplicaSet controller, acting as
// system:serviceaccount:kube-system:replicaset-controller. The work is sdk/machinery's
// ReplicaController for apps/v1 ReplicaSets.
namespace ukube::controllers::replicaset {

class ReplicaSetPlugin final : public controller::ControllerPlugin {
 public:
  ReplicaSetPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;
};

}  // namespace ukube::controllers::replicaset
