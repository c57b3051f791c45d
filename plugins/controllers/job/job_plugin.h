#pragma once

#include <memory>

#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.job: upstream's Job controller, acting as
// system:serviceaccount:kube-system:job-controller. The work is JobController
// (job_controller.h).
namespace ukube::controllers::job {

class JobPlugin final : public controller::ControllerPlugin {
 public:
  JobPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;
};

}  // namespace ukube::controllers::job
