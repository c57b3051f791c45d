#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "daemonset_history.h"
#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/expectations.h"
#include "ukube/controller/pod_control.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"
#include "ukube/labels.h"
#include "ukube/machinery/time.h"

namespace spdlog {
class logger;
}

// upstream's DaemonSet controller (pkg/controller/daemon). A sync of a DaemonSet
//  - records its template as a ControllerRevision (daemonset_history.h);
//  - claims the pods its selector matches and files them by the node they are for;
//  - once the expectations of its last writes are met, creates a pod on each node that
//    should run one and has none (slow-start batches), deletes pods from nodes that may no
//    longer keep them, surplus pods, and failed pods (with a back-off per node, event
//    FailedDaemonPod);
//  - when nothing had to be created or deleted, replaces pods of older revisions as the
//    RollingUpdate strategy allows (maxUnavailable, maxSurge); OnDelete leaves that to users;
//  - trims old revisions and writes status (the counts `kubectl rollout status` reads).
namespace ukube::controllers::daemonset {

struct DaemonSetQueue {
  std::function<void(const std::string& key)> add;
  std::function<void(const std::string& key, std::chrono::milliseconds delay)> add_after;
};

struct DaemonSetSyncerOptions {
  std::shared_ptr<Client> client;
  std::shared_ptr<Informer> daemonsets, pods, nodes, revisions;
  controller::EventRecorder* events = nullptr;        // may be null
  std::shared_ptr<spdlog::logger> log;                // may be null
  std::function<machinery::Clock::time_point()> now;  // empty: the real clock
};

// Pods of one DaemonSet by the node they are for.
using NodePods = std::map<std::string, std::vector<ObjectPtr>>;

class DaemonSetSyncer {
 public:
  DaemonSetSyncer(DaemonSetSyncerOptions options, DaemonSetQueue queue);
  ~DaemonSetSyncer();
  DaemonSetSyncer(const DaemonSetSyncer&) = delete;
  DaemonSetSyncer& operator=(const DaemonSetSyncer&) = delete;

  // Reconciles the DaemonSet `key` (namespace/name); throws what went wrong.
  controller::Result sync(const std::string& key);

  InformerHandlers daemonset_handlers();
  InformerHandlers pod_handlers();
  InformerHandlers node_handlers();

  controller::TrackingExpectations& expectations() { return expectations_; }

 private:
  struct Backoff {
    std::chrono::milliseconds delay{0};
    machinery::Clock::time_point until{};
  };
  struct Plan {
    std::vector<std::string> create_on;  // node names
    std::vector<ObjectPtr> remove;
  };

  NodePods pods_by_node(const boost::json::object& ds, const LabelSelector& selector);
  Plan plan_manage(const boost::json::object& ds, const NodePods& node_pods, const std::string& hash,
                   controller::Result& result);
  Plan plan_rolling_update(const boost::json::object& ds, const NodePods& node_pods, const std::string& hash);
  // Makes the writes; false when any failed (the error was logged and evented).
  bool execute(const std::string& key, const boost::json::object& ds, const Plan& plan,
               const std::string& hash);
  void write_status(const boost::json::object& ds, const NodePods& node_pods, const std::string& hash,
                    controller::Result& result);

  void pod_added(const ObjectPtr& pod);
  void pod_updated(const ObjectPtr& old_pod, const ObjectPtr& pod);
  void pod_deleted(const ObjectPtr& pod);
  void enqueue_for_pod(const boost::json::object& pod);
  void enqueue_all();
  ObjectPtr resolve(const std::string& ns, const boost::json::object* ref) const;
  void event(const boost::json::object& ds, const std::string& type, const std::string& reason,
             const std::string& message);
  machinery::Clock::time_point now() const;

  DaemonSetSyncerOptions options_;
  DaemonSetQueue queue_;
  controller::PodControl pod_control_;
  controller::TrackingExpectations expectations_;
  std::mutex mutex_;
  std::map<std::string, Backoff> failed_backoff_;  // by "<ds uid>/<node>"
  std::vector<InformerRegistration> indexers_;
};

// The DaemonSet controller while it runs.
class DaemonSetController final : public controller::RunningController {
 public:
  DaemonSetController(const controller::ControllerDeps& deps, unsigned workers);
  ~DaemonSetController() override;
  void start() override;
  void stop() override;
  DaemonSetSyncer& syncer() { return *syncer_; }
  bool idle() const { return loop_->idle(); }

 private:
  std::shared_ptr<Informer> daemonsets_, pods_, nodes_, revisions_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
  std::unique_ptr<DaemonSetSyncer> syncer_;
  std::vector<InformerRegistration> handlers_;
};

}  // namespace ukube::controllers::daemonset
