#include "podgc_plugin.h"

#include "controllers/podgc/config.pb.h"

namespace ukube::controllers::podgc {

PodGCPlugin::PodGCPlugin() : ControllerPlugin({"podgc", "pod-garbage-collector"}) {}

void PodGCPlugin::configure(InitContext& ctx) {
  const auto& config = ctx.config_as<PodGCConfig>();
  settings_.workers = 1;
  settings_.leader_elect = config.leader_elect();
  options_.terminated_pod_threshold =
      config.has_terminated_pod_gc_threshold() ? config.terminated_pod_gc_threshold() : 12500;
  if (config.quarantine_ms() > 0) options_.quarantine = std::chrono::milliseconds(config.quarantine_ms());
  if (config.gc_check_period_ms() > 0) period_ = std::chrono::milliseconds(config.gc_check_period_ms());
}

std::unique_ptr<controller::RunningController> PodGCPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<PodGCController>(deps, options_, period_);
}

}  // namespace ukube::controllers::podgc
