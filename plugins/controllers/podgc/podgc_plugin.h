#pragma once

#include <chrono>
#include <memory>

#include "podgc_controller.h"
#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.podgc: upstream's pod garbage collector, acting as
// system:serviceaccount:kube-system:pod-garbage-collector. The work is PodGC
// (podgc_controller.h).
namespace ukube::controllers::podgc {

class PodGCPlugin final : public controller::ControllerPlugin {
 public:
  PodGCPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;

 private:
  PodGCOptions options_;
  std::chrono::milliseconds period_{20000};
};

}  // namespace ukube::controllers::podgc
