#pragma once

#include <memory>

#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.statefulset: upstream's StatefulSet controller, acting as
// system:serviceaccount:kube-system:statefulset-controller. The work is
// StatefulSetController (statefulset_controller.h).
namespace ukube::controllers::statefulset {

class StatefulSetPlugin final : public controller::ControllerPlugin {
 public:
  StatefulSetPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;
};

}  // namespace ukube::controllers::statefulset
