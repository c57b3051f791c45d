#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ukube/client.h"
#include "ukube/informer.h"
#include "ukube/workqueue.h"

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
  bool idle() const;
  uint64_t writes() const { return writes_; }

 private:
  void enqueue_all();
  void run();
  bool sync(const std::string& name);  // false: try again later

  std::shared_ptr<Client> client_;
  const Informer& cluster_roles_;
  std::shared_ptr<spdlog::logger> log_;
  WorkQueue queue_;
  mutable std::mutex mutex_;
  std::map<std::string, uint64_t> pending_;  // name → times queued, until handled after the last
  std::atomic<uint64_t> writes_{0};
  std::atomic<bool> stopping_{false};
  std::thread worker_;
};

}  // namespace ukube::rbac
