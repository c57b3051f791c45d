#pragma once

#include <memory>

#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.serviceaccount: upstream's service account controller, acting
// as system:serviceaccount:kube-system:service-account-controller. The work is
// ServiceAccountsController (serviceaccounts_controller.h).
namespace ukube::controllers::serviceaccount {

class ServiceAccountPlugin final : public controller::ControllerPlugin {
 public:
  ServiceAccountPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;
};

}  // namespace ukube::controllers::serviceaccount
