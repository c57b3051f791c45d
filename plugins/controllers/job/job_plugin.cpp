#include "job_plugin.h"

#include "controllers/job/config.pb.h"
#include "job_controller.h"

namespace ukube::controllers::job {

JobPlugin::JobPlugin() : ControllerPlugin({"job", "job-controller"}) {}

void JobPlugin::configure(InitContext& ctx) {
  settings_ = controller::controller_settings(ctx.config_as<JobConfig>(), 5);
}

std::unique_ptr<controller::RunningController> JobPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<JobController>(deps, settings_.workers);
}

}  // namespace ukube::controllers::job
