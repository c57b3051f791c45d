#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "resources_deleter.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"

// Upstream's namespace controller while it runs: namespaces that get a deletionTimestamp
// are queued (after a short grace period, so every API server has seen the deletion and
// refuses new content), and each is synced by the ResourcesDeleter until it is emptied
// and finalized, by `workers` at once.
namespace ukube::controllers::namespace_ {

struct ControllerOptions {
  unsigned workers = 10;  // upstream's --concurrent-namespace-syncs
  // How long a namespace waits in the queue after an event (upstream's
  // namespaceDeletionGracePeriod).
  std::chrono::milliseconds deletion_grace{5000};
};

class NamespaceController final : public controller::RunningController {
 public:
  // `deleter.client` and `deleter.log` default to the controller's own from `deps`.
  NamespaceController(const controller::ControllerDeps& deps, DeleterOptions deleter,
                      ControllerOptions options = {});
  ~NamespaceController() override;

  void start() override;
  void stop() override;

  // One reconcile of the work queue's key (a namespace's name).
  controller::Result sync(const std::string& name);
  // Every key queued so far has been synced (tests).
  bool idle() const { return loop_->idle(); }

 private:
  void enqueue(const ObjectPtr& ns);

  std::shared_ptr<Informer> namespaces_;
  ResourcesDeleter deleter_;
  ControllerOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
  InformerRegistration handlers_;
};

}  // namespace ukube::controllers::namespace_
