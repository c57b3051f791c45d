#pragma once

#include <memory>

#include "nodelifecycle_controller.h"
#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.nodelifecycle: upstream's node lifecycle controller and its
// taint eviction, acting as system:serviceaccount:kube-system:node-controller. The work is
// NodeLifecycleController (nodelifecycle_controller.h).
namespace ukube::controllers::nodelifecycle {

class NodeLifecyclePlugin final : public controller::ControllerPlugin {
 public:
  NodeLifecyclePlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;

 private:
  LifecycleSettings lifecycle_;
};

}  // namespace ukube::controllers::nodelifecycle
