#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "ukube/client.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"

namespace spdlog {
class logger;
}

namespace ukube::rbac {

// Keeps the rules of every ClusterRole that has an aggregationRule equal to the union of
// the roles its selectors match, written back to the object as upstream's
// clusterrole-aggregation controller does. Level-triggered: any cluster role change
// queues every aggregated role, and each is recomputed from the informer's cache.
class AggregationController {
 public:
  AggregationController(std::shared_ptr<Client> client, const Informer& cluster_roles,
                        std::shared_ptr<spdlog::logger> log);
  ~AggregationController();
  AggregationController(const AggregationController&) = delete;
  AggregationController& operator=(const AggregationController&) = delete;

  // For the cluster role informer; may be added before start().
  InformerHandlers handlers();
  void start();
  void stop();

  // Nothing queued or in progress: every aggregated role reflects the last change seen.
  bool idle() const { return loop_.idle(); }
  uint64_t writes() const { return writes_; }

 private:
  void enqueue_all();
  bool sync(const std::string& name);  // false: try again later

  std::shared_ptr<Client> client_;
  const Informer& cluster_roles_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<uint64_t> writes_{0};
  controller::ReconcileLoop loop_;
};

}  // namespace ukube::rbac
