#pragma once

#include <memory>

#include "settings.h"
#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.endpointslice: upstream's EndpointSlice controller, acting as
// system:serviceaccount:kube-system:endpointslice-controller.
namespace ukube::controllers::endpointslice {

class EndpointSlicePlugin final : public controller::ControllerPlugin {
 public:
  EndpointSlicePlugin();
  const Settings& slice_settings() const { return slice_settings_; }

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;

 private:
  Settings slice_settings_;
};

}  // namespace ukube::controllers::endpointslice
