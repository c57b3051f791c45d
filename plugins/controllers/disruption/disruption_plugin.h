#pragma once

#include <memory>

#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.disruption: upstream's disruption controller, acting as
// system:serviceaccount:kube-system:disruption-controller. The work is
// DisruptionController (disruption_controller.h).
namespace ukube::controllers::disruption {

class DisruptionPlugin final : public controller::ControllerPlugin {
 public:
  DisruptionPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;
};

}  // namespace ukube::controllers::disruption
