#pragma once

#include <memory>

#include "framework/registry.h"
#include "runtime/service.h"
#include "ukube/plugin.h"

// ukube.scheduler.v1.default: kube-scheduler as a plugin. Framework plugins of other
// libraries (FrameworkPluginProvider) are looked up at start, when every plugin has
// been initialised, so config order does not matter.
namespace ukube::scheduler {

class SchedulerPlugin final : public Plugin {
 public:
  void init(InitContext& ctx) override;
  void start() override;
  void stop() override;

 private:
  InitContext* ctx_ = nullptr;
  Settings settings_;
  Registry registry_;
  std::unique_ptr<SchedulerService> service_;
};

}  // namespace ukube::scheduler
