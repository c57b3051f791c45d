#pragma once

#include <chrono>
#include <memory>

#include "ukube/controller/controller_plugin.h"

namespace ukube {
class TypeRegistry;
}

// Plugin ukube.controller.v1.garbagecollector: upstream's garbage collector, acting as
// system:serviceaccount:kube-system:generic-garbage-collector. The work is
// GarbageCollector (garbage_collector.h); this maps kinds and resources through the type
// registry.
namespace ukube::controllers::gc {

class GarbageCollectorPlugin final : public controller::ControllerPlugin {
 public:
  GarbageCollectorPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;

 private:
  TypeRegistry* types_ = nullptr;
  std::chrono::milliseconds resync_period_{std::chrono::seconds(30)};
};

}  // namespace ukube::controllers::gc
