#include "namespace_controller.h"

#include <spdlog/logger.h>

#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"

namespace ukube::controllers::namespace_ {

namespace {

// Upstream's queue for namespaces: a failed sync is retried after 5ms, doubling up to a
// minute at most, with 10 retries a second (bursts of 100) overall.
constexpr RateLimits kNamespaceQueueLimits{std::chrono::milliseconds(5), std::chrono::milliseconds(60 * 1000),
                                           10, 100};
constexpr std::chrono::milliseconds kCacheNotSyncedRetry{200};

DeleterOptions with_deps(DeleterOptions deleter, const controller::ControllerDeps& deps) {
  if (!deleter.client) deleter.client = deps.client;
  if (!deleter.log) deleter.log = deps.log;
  return deleter;
}

}  // namespace

NamespaceController::NamespaceController(const controller::ControllerDeps& deps, DeleterOptions deleter,
                                         ControllerOptions options)
    : namespaces_(deps.informers->informer(machinery::kNamespaces)),
      deleter_(with_deps(std::move(deleter), deps)),
      options_(options),
      log_(deps.log) {
  controller::LoopSettings settings;
  settings.name = "namespace";
  settings.workers = options_.workers;
  settings.limits = kNamespaceQueueLimits;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      settings, [this](const std::string& name) { return sync(name); }, deps.log);
}

NamespaceController::~NamespaceController() {
  stop();
}

void NamespaceController::start() {
  if (handlers_.active()) return;
  handlers_ =
      namespaces_->add_handlers({[this](const ObjectPtr& ns) { enqueue(ns); },
                                 [this](const ObjectPtr&, const ObjectPtr& ns) { enqueue(ns); }, nullptr});
  loop_->start();
}

void NamespaceController::stop() {
  handlers_.reset();  // waits for a handler call under way
  loop_->stop();
}

void NamespaceController::enqueue(const ObjectPtr& ns) {
  // Only namespaces being deleted have work for this controller.
  if (!machinery::has_deletion_timestamp(*ns)) return;
  loop_->add_after(machinery::name_of(*ns), options_.deletion_grace);
}

controller::Result NamespaceController::sync(const std::string& name) {
  if (!namespaces_->has_synced()) return controller::Result::requeue_after(kCacheNotSyncedRetry);
  if (!namespaces_->get(name)) {
    if (log_) log_->info("namespace {} has been deleted", name);
    return controller::Result::done();
  }
  int64_t estimate = deleter_.sync(name);  // throws: retried with back-off
  if (estimate <= 0) return controller::Result::done();
  // Content remains: look again in about half the time it is expected to take.
  std::chrono::seconds wait(estimate / 2 + 1);
  if (log_) log_->debug("content remaining in namespace {}: looking again in {}s", name, wait.count());
  return controller::Result::requeue_after(wait);
}

}  // namespace ukube::controllers::namespace_
