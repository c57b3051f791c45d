#include "ukube/controller/controller_plugin.h"

#include <spdlog/logger.h>

#include "ukube/machinery/identities.h"

namespace ukube::controller {

RunningController::~RunningController() = default;

ControllerPlugin::ControllerPlugin(ControllerIdentity identity) : identity_(std::move(identity)) {}

ControllerPlugin::~ControllerPlugin() {
  membership_.reset();
  halt_controller();
}

void ControllerPlugin::init(InitContext& ctx) {
  configure(ctx);
  deps_.client = ctx.client(machinery::controller_identity(identity_.service_account));
  deps_.informers = &ctx.informers();
  deps_.log = ctx.logger();
  // Upstream's controller manager elects with its own credentials, not a controller's.
  lease_client_ = ctx.client(machinery::controller_manager_identity());
  RecorderSettings settings;
  settings.source.component = identity_.service_account;
  events_ = std::make_unique<EventRecorder>(deps_.client, settings, deps_.log);
  deps_.events = events_.get();
}

void ControllerPlugin::start() {
  if (!settings_.leader_elect) {
    run_controller();
    return;
  }
  LeaseSettings lease;
  lease.name = "kube-controller-manager";
  membership_ =
      join_leadership(lease_client_, lease, {[this] { run_controller(); }, [this] { halt_controller(); }});
}

void ControllerPlugin::stop() {
  membership_.reset();
  halt_controller();
}

RunningController* ControllerPlugin::running() const {
  std::lock_guard lock(mutex_);
  return running_.get();
}

void ControllerPlugin::run_controller() {
  std::lock_guard lock(mutex_);
  if (running_) return;
  running_ = make_running(deps_);
  running_->start();
  if (deps_.log) deps_.log->info("{} controller started", identity_.name);
}

void ControllerPlugin::halt_controller() {
  std::unique_ptr<RunningController> running;
  {
    std::lock_guard lock(mutex_);
    running = std::move(running_);
  }
  if (!running) return;
  running->stop();
  if (deps_.log) deps_.log->info("{} controller stopped", identity_.name);
}

}  // namespace ukube::controller
