#pragma once

#include <memory>

#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.cronjob: upstream's CronJob controller, acting as
// system:serviceaccount:kube-system:cronjob-controller. The work is CronJobController
// (cronjob_controller.h).
namespace ukube::controllers::cronjob {

class CronJobPlugin final : public controller::ControllerPlugin {
 public:
  CronJobPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;
};

}  // namespace ukube::controllers::cronjob
