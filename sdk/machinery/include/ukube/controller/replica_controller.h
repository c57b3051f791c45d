#pragma once

#include <memory>
#include <vector>

#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/controller/replica_manager.h"
#include "ukube/informer.h"
#include "ukube/machinery/export.h"

// A replica controller while it runs (ukube/controller/controller_plugin.h): the shared
// pod and owner informers, a ReplicaManager for the kind, and `workers` reconciles at
// once (upstream's --concurrent-replicaset-syncs / --concurrent-rc-syncs). The ReplicaSet
// plugin runs it with replica_set_kind(); a ReplicationController plugin would with
// replication_controller_kind().
namespace ukube::controller {

class UKUBE_MACHINERY_API ReplicaController final : public RunningController {
 public:
  ReplicaController(const ControllerDeps& deps, const ReplicaKind& kind, unsigned workers,
                    int burst_replicas = kBurstReplicas);
  ~ReplicaController() override;

  // Registers the informer handlers and starts the workers; a key is synced once both
  // informers have listed.
  void start() override;
  // Drops the handlers, then stops the workers after the reconciles under way.
  void stop() override;

  ReplicaManager& manager() { return *manager_; }
  // Every key queued so far has been synced (tests).
  bool idle() const { return loop_->idle(); }

 private:
  std::shared_ptr<Informer> pods_, owners_;
  std::unique_ptr<ReconcileLoop> loop_;
  std::unique_ptr<ReplicaManager> manager_;
  std::vector<InformerRegistration> handlers_;
};

}  // namespace ukube::controller
