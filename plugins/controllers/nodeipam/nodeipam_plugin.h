#pragma once

#include <memory>

#include "settings.h"
#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.nodeipam: upstream's node IPAM controller with its range
// allocator, acting as system:serviceaccount:kube-system:node-controller as upstream's
// does (its role system:controller:node-controller may update nodes). The work is
// RangeAllocator (range_allocator.h).
namespace ukube::controllers::nodeipam {

class NodeIpamPlugin final : public controller::ControllerPlugin {
 public:
  NodeIpamPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;

 private:
  Settings ipam_;
};

}  // namespace ukube::controllers::nodeipam
