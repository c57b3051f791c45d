#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/client.h"
#include "ukube/controller/expectations.h"
#include "ukube/controller/pod_control.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/controller/replica_kind.h"
#include "ukube/informer.h"
#include "ukube/machinery/export.h"
#include "ukube/machinery/time.h"

namespace spdlog {
class logger;
}

// The replica controller of upstream's kube-controller-manager, for any ReplicaKind: it
// keeps spec.replicas pods of an owner's template running (the ReplicaSet controller, and
// the ReplicationController manager with the other kind). Its parts:
//  - sync(key): the owner's pods are the active ones it controls or adopts
//    (ControllerRefManager); when its expectations are satisfied and it is not being
//    deleted it creates the missing pods in slow-start batches or deletes the surplus in
//    deletion order, at most `burst_replicas` per sync, and expects to observe each; then
//    it writes the status (replicas, fullyLabeled/ready/available, observedGeneration,
//    ReplicaFailure) when it changed;
//  - handlers for the pod and owner informers that lower expectations as pods appear and
//    go and queue the owners concerned.
// It reads pods and owners only from the informers' caches, through indexes it adds
// (controllerUID and orphans for pods, controllerUID and namespace for owners), so a sync
// looks at the owner's pods and the namespace's orphans, not at every pod.
namespace ukube::controller {

// Upstream's BurstReplicas: the most pods one sync creates or deletes.
inline constexpr int kBurstReplicas = 500;

// Where the manager queues owner keys (namespace/name): a ReconcileLoop in the daemon.
struct ReplicaQueue {
  std::function<void(const std::string& key)> add;
  std::function<void(const std::string& key, std::chrono::milliseconds delay)> add_after;
};

struct ReplicaManagerOptions {
  ReplicaKind kind;
  std::shared_ptr<Client> client;       // writes: pods, owner status, adoption patches
  std::shared_ptr<Informer> pods;       // every namespace's pods
  std::shared_ptr<Informer> owners;     // every namespace's owners of `kind`
  EventRecorder* events = nullptr;      // may be null
  std::shared_ptr<spdlog::logger> log;  // may be null
  int burst_replicas = kBurstReplicas;
  // The wall clock for availability and deletion order, and the clock of expectations;
  // empty: the real ones.
  std::function<machinery::Clock::time_point()> now;
  ControllerExpectations::Now expectations_now;
};

class UKUBE_MACHINERY_API ReplicaManager {
 public:
  // Adds the indexes it reads to the informers; they go when the manager does.
  ReplicaManager(ReplicaManagerOptions options, ReplicaQueue queue);
  ~ReplicaManager();
  ReplicaManager(const ReplicaManager&) = delete;
  ReplicaManager& operator=(const ReplicaManager&) = delete;

  // Reconciles the owner `key` (namespace/name). Returns when to look again; throws what
  // went wrong (the loop then logs it and retries with back-off), after writing the status
  // when creating or deleting pods failed.
  Result sync(const std::string& key);

  // Handlers for the informers (each calls the methods below).
  InformerHandlers owner_handlers();
  InformerHandlers pod_handlers();

  void owner_added(const ObjectPtr& owner);
  void owner_updated(const ObjectPtr& old_owner, const ObjectPtr& owner);
  void owner_deleted(const ObjectPtr& owner);
  void pod_added(const ObjectPtr& pod);
  void pod_updated(const ObjectPtr& old_pod, const ObjectPtr& pod);
  void pod_deleted(const ObjectPtr& pod);

  TrackingExpectations& expectations() { return expectations_; }
  const ReplicaKind& kind() const { return options_.kind; }

 private:
  // The owner a controller reference names, when the cache has that very object.
  ObjectPtr resolve(const std::string& ns, const boost::json::object* controller_ref) const;
  // Every owner in the pod's namespace whose selector matches the pod (for orphans).
  std::vector<ObjectPtr> owners_selecting(const boost::json::object& pod) const;
  // The active pods the owner controls and the namespace's active orphans.
  std::vector<ObjectPtr> candidate_pods(const boost::json::object& owner) const;
  // Pods of the owners that share the owner's controller: the ranking's colocation counts.
  std::vector<ObjectPtr> related_pods(const boost::json::object& owner) const;
  // Creates or deletes pods; throws the first failure.
  void manage_replicas(const std::string& key, const std::vector<ObjectPtr>& pods, const ObjectPtr& owner);
  machinery::Clock::time_point now() const;
  void enqueue(const boost::json::object& owner);

  ReplicaManagerOptions options_;
  ReplicaQueue queue_;
  PodControl pod_control_;
  TrackingExpectations expectations_;
  std::vector<InformerRegistration> indexers_;
  // Owners whose last recount-only sync was expensive: the next one waits until then
  // (see sync()).
  std::mutex pace_mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> recount_not_before_;
};

}  // namespace ukube::controller
