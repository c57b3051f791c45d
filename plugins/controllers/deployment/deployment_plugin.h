#pragma once

#include <memory>

#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.deployment: upstream's Deployment controller, acting as
// system:serviceaccount:kube-system:deployment-controller. The work is DeploymentController
// (deployment_controller.h).
namespace ukube::controllers::deployment {

class DeploymentPlugin final : public controller::ControllerPlugin {
 public:
  DeploymentPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;
};

}  // namespace ukube::controllers::deployment
