#pragma once

#include <memory>

#include "hpa_controller.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/types.h"

// Plugin ukube.controller.v1.horizontalpodautoscaling: upstream's horizontal pod
// autoscaler, acting as system:serviceaccount:kube-system:horizontal-pod-autoscaler. The
// work is HorizontalPodAutoscalerController (hpa_controller.h).
namespace ukube::controllers::hpa {

class HorizontalPodAutoscalingPlugin final : public controller::ControllerPlugin {
 public:
  HorizontalPodAutoscalingPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;

 private:
  HpaSettings hpa_settings_;
  TypeRegistry* types_ = nullptr;
};

// The resource serving the scale subresource of `kind` in `api_version` ("apps/v1"), the
// version given or, failing that, any version of that group that serves the kind.
std::optional<GroupVersionResource> scale_target_resource(const TypeRegistry& types,
                                                          const std::string& api_version,
                                                          const std::string& kind);

}  // namespace ukube::controllers::hpa
