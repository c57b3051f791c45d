#pragma once

#include <memory>

#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.endpoints: upstream's endpoints controller, acting as
// system:serviceaccount:kube-system:endpoint-controller.
namespace ukube::controllers::endpoints {

class EndpointsPlugin final : public controller::ControllerPlugin {
 public:
  // Services synced at once unless the config says (upstream's --concurrent-endpoint-syncs).
  static constexpr unsigned kDefaultWorkers = 5;

  EndpointsPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;
};

}  // namespace ukube::controllers::endpoints
