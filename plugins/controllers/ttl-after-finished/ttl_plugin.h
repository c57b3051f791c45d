#pragma once

#include <memory>

#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.ttl-after-finished: upstream's TTL-after-finished controller,
// acting as system:serviceaccount:kube-system:ttl-after-finished-controller. The work is
// TtlAfterFinishedController (ttl_controller.h).
namespace ukube::controllers::ttl {

class TtlAfterFinishedPlugin final : public controller::ControllerPlugin {
 public:
  TtlAfterFinishedPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;
};

}  // namespace ukube::controllers::ttl
