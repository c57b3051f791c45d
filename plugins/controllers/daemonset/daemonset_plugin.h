#pragma once

#include <memory>

#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.daemonset: upstream's DaemonSet controller, acting as
// system:serviceaccount:kube-system:daemon-set-controller. The work is DaemonSetController
// (daemonset_controller.h).
namespace ukube::controllers::daemonset {

class DaemonSetPlugin final : public controller::ControllerPlugin {
 public:
  DaemonSetPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;
};

}  // namespace ukube::controllers::daemonset
