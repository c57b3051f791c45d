#include "ukube/controller/replica_controller.h"

#include "ukube/informer_factory.h"
#include "ukube/machinery/resources.h"

namespace ukube::controller {

ReplicaController::ReplicaController(const ControllerDeps& deps, const ReplicaKind& kind, unsigned workers,
                                     int burst_replicas)
    : pods_(deps.informers->informer(machinery::kPods)), owners_(deps.informers->informer(kind.resource)) {
  // The manager queues into the loop and the loop syncs through the manager: the loop is
  // made first and reaches the manager only once its workers start.
  LoopSettings settings;
  settings.name = kind.controller_name;
  settings.workers = workers;
  loop_ = std::make_unique<ReconcileLoop>(
      settings, [this](const std::string& key) { return manager_->sync(key); }, deps.log);
  ReplicaManagerOptions options;
  options.kind = kind;
  options.client = deps.client;
  options.pods = pods_;
  options.owners = owners_;
  options.events = deps.events;
  options.log = deps.log;
  options.burst_replicas = burst_replicas;
  ReplicaQueue queue{
      [this](const std::string& key) { loop_->add(key); },
      [this](const std::string& key, std::chrono::milliseconds delay) { loop_->add_after(key, delay); }};
  manager_ = std::make_unique<ReplicaManager>(std::move(options), std::move(queue));
}

ReplicaController::~ReplicaController() {
  stop();
}

void ReplicaController::start() {
  if (!handlers_.empty()) return;
  handlers_.push_back(owners_->add_handlers(manager_->owner_handlers()));
  handlers_.push_back(pods_->add_handlers(manager_->pod_handlers()));
  loop_->start();
}

void ReplicaController::stop() {
  handlers_.clear();  // waits for a handler call under way
  loop_->stop();
}

}  // namespace ukube::controller
