#pragma once

#include <memory>

#include "mirroring_controller.h"
#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.endpointslicemirroring: upstream's EndpointSliceMirroring
// controller, acting as system:serviceaccount:kube-system:endpointslicemirroring-controller.
// The work is MirroringController (mirroring_controller.h).
namespace ukube::controllers::mirroring {

class MirroringPlugin final : public controller::ControllerPlugin {
 public:
  MirroringPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;

 private:
  MirroringSettings mirroring_;
};

}  // namespace ukube::controllers::mirroring
