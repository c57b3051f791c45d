#include "hpa_plugin.h"

#include "controllers/horizontalpodautoscaling/config.pb.h"
#include "ukube/machinery/versions.h"

namespace ukube::controllers::hpa {
namespace {

constexpr unsigned kDefaultWorkers = 5;

HpaSettings hpa_settings(const HorizontalPodAutoscalingConfig& config) {
  HpaSettings s;
  if (config.sync_period_ms() > 0) s.sync_period = std::chrono::milliseconds(config.sync_period_ms());
  if (config.downscale_stabilization_ms() > 0)
    s.downscale_stabilization = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::milliseconds(config.downscale_stabilization_ms()));
  if (config.tolerance() > 0) s.calculator.tolerance = config.tolerance();
  if (config.cpu_initialization_period_ms() > 0)
    s.calculator.cpu_initialization_period = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::milliseconds(config.cpu_initialization_period_ms()));
  if (config.initial_readiness_delay_ms() > 0)
    s.calculator.delay_of_initial_readiness = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::milliseconds(config.initial_readiness_delay_ms()));
  return s;
}

}  // namespace

std::optional<GroupVersionResource> scale_target_resource(const TypeRegistry& types,
                                                          const std::string& api_version,
                                                          const std::string& kind) {
  machinery::GroupVersion gv = machinery::parse_api_version(api_version);
  const GroupVersionKind gvk{std::move(gv.group), std::move(gv.version), kind};
  TypeInfoPtr type = types.find_kind(gvk);
  if (!type || !type->scale)
    for (const auto& t : types.all())
      if (t->group == gvk.group && t->kind == kind && t->scale) type = t;
  if (!type || !type->scale) return std::nullopt;
  return type->gvr();
}

HorizontalPodAutoscalingPlugin::HorizontalPodAutoscalingPlugin()
    : ControllerPlugin({"horizontalpodautoscaling", "horizontal-pod-autoscaler"}) {}

void HorizontalPodAutoscalingPlugin::configure(InitContext& ctx) {
  const auto& config = ctx.config_as<HorizontalPodAutoscalingConfig>();
  settings_ = controller::controller_settings(config, kDefaultWorkers);
  hpa_settings_ = hpa_settings(config);
  types_ = &ctx.types();
}

std::unique_ptr<controller::RunningController> HorizontalPodAutoscalingPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<HorizontalPodAutoscalerController>(
      deps, settings_.workers, hpa_settings_,
      [types = types_](const std::string& api_version, const std::string& kind) {
        return scale_target_resource(*types, api_version, kind);
      });
}

}  // namespace ukube::controllers::hpa
