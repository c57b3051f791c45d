#include "scheduler_plugin.h"

#include <spdlog/logger.h>

#include "scheduler/config.pb.h"
#include "ukube/auth.h"
#include "ukube/informer_factory.h"

namespace ukube::scheduler {

void SchedulerPlugin::init(InitContext& ctx) {
  ctx_ = &ctx;
  settings_ = resolve_settings(ctx.config_as<config::SchedulerConfig>());
  register_in_tree(registry_);
}

void SchedulerPlugin::start() {
  for (FrameworkPluginProvider* provider : ctx_->all_of<FrameworkPluginProvider>())
    for (auto& factory : provider->framework_plugins()) {
      if (ctx_->logger()) ctx_->logger()->info("framework plugin {} available", factory.name);
      registry_.add(std::move(factory));
    }
  // kube-scheduler's own identity, authorized by RBAC (system:kube-scheduler and
  // system:volume-scheduler) like any other client.
  auto client = ctx_->client(UserInfo{"system:kube-scheduler", "", {"system:authenticated"}, {}});
  service_ =
      std::make_unique<SchedulerService>(client, registry_, settings_, ctx_->logger(), &ctx_->informers());
  service_->start();
}

void SchedulerPlugin::stop() {
  service_.reset();
}

}  // namespace ukube::scheduler
