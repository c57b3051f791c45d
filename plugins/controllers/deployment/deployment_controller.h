#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"
#include "ukube/labels.h"
#include "ukube/machinery/time.h"

namespace spdlog {
class logger;
}

// upstream's Deployment controller (pkg/controller/deployment): a Deployment owns
// ReplicaSets, one per pod template, each named <deployment>-<pod-template-hash>. A sync
//  - claims the ReplicaSets its selector matches (ControllerRefManager);
//  - when paused, or when only spec.replicas changed, scales the active ReplicaSets
//    (proportionally during a rollout);
//  - else rolls out by its strategy: RollingUpdate within maxSurge/maxUnavailable, or
//    Recreate (old ReplicaSets to zero first);
//  - keeps the revision annotations, deletes old empty ReplicaSets beyond
//    revisionHistoryLimit, and writes the status with the Available and Progressing
//    conditions (progressDeadlineSeconds → ProgressDeadlineExceeded).
// It reads Deployments and ReplicaSets from the informers' caches only.
namespace ukube::controllers::deployment {

struct DeploymentQueue {
  std::function<void(const std::string& key)> add;
};

struct DeploymentSyncerOptions {
  std::shared_ptr<Client> client;
  std::shared_ptr<Informer> deployments;
  std::shared_ptr<Informer> replica_sets;
  // Pods, for Recreate: new pods start only once the old ones are gone. May be null: then
  // the old ReplicaSets' status.replicas alone says so.
  std::shared_ptr<Informer> pods;
  controller::EventRecorder* events = nullptr;        // may be null
  std::shared_ptr<spdlog::logger> log;                // may be null
  std::function<machinery::Clock::time_point()> now;  // empty: the real clock
};

class DeploymentSyncer {
 public:
  DeploymentSyncer(DeploymentSyncerOptions options, DeploymentQueue queue);
  ~DeploymentSyncer();
  DeploymentSyncer(const DeploymentSyncer&) = delete;
  DeploymentSyncer& operator=(const DeploymentSyncer&) = delete;

  // Reconciles the Deployment `key` (namespace/name); throws what went wrong.
  controller::Result sync(const std::string& key);

  InformerHandlers deployment_handlers();
  InformerHandlers replica_set_handlers();

  void replica_set_added(const ObjectPtr& rs);
  void replica_set_updated(const ObjectPtr& old_rs, const ObjectPtr& rs);
  void replica_set_deleted(const ObjectPtr& rs);
  InformerHandlers pod_handlers();
  void pod_deleted(const ObjectPtr& pod);

 private:
  struct Sets {
    ObjectPtr new_rs;            // may be null
    std::vector<ObjectPtr> old;  // the others
    std::vector<ObjectPtr> all() const;
  };

  std::vector<ObjectPtr> claim_replica_sets(const boost::json::object& d, const LabelSelector& selector);
  Sets get_all(boost::json::object& d, std::vector<ObjectPtr>& sets, bool create);
  ObjectPtr get_new_rs(boost::json::object& d, const Sets& found, bool create);

  controller::Result rollout_rolling(boost::json::object& d, std::vector<ObjectPtr>& sets);
  controller::Result rollout_recreate(boost::json::object& d, std::vector<ObjectPtr>& sets);
  controller::Result scale_sync(boost::json::object& d, std::vector<ObjectPtr>& sets);
  bool is_scaling_event(boost::json::object& d, std::vector<ObjectPtr>& sets);
  void scale(const boost::json::object& d, Sets& sets);
  bool reconcile_new(const boost::json::object& d, Sets& sets);
  bool reconcile_old(const boost::json::object& d, Sets& sets);

  // Scales `rs` (replacing it by the written object); returns whether its size changed.
  bool scale_replica_set(ObjectPtr& rs, int64_t size, const boost::json::object& d);
  void cleanup(const boost::json::object& d, const std::vector<ObjectPtr>& old);

  boost::json::object calculate_status(const boost::json::object& d, const Sets& sets) const;
  controller::Result sync_rollout_status(boost::json::object& d, const Sets& sets);
  void sync_status(boost::json::object& d, const Sets& sets);
  void write_status(boost::json::object& d, boost::json::object status);
  // Writes the deployment's annotations and status as they are in `d`.
  void write_deployment(boost::json::object& d, bool annotations_changed);
  bool check_paused(boost::json::object& d);
  bool old_pods_running(const Sets& sets) const;

  boost::json::object condition(const std::string& type, const std::string& status, const std::string& reason,
                                const std::string& message) const;
  void event(const boost::json::object& d, const std::string& type, const std::string& reason,
             const std::string& message);
  std::vector<ObjectPtr> deployments_selecting(const boost::json::object& rs) const;
  ObjectPtr resolve(const std::string& ns, const boost::json::object* ref) const;
  machinery::Clock::time_point now() const;

  DeploymentSyncerOptions options_;
  DeploymentQueue queue_;
  std::vector<InformerRegistration> indexers_;
};

// Upstream's DeploymentConditionType and reasons.
inline constexpr const char* kReasonTimedOut = "ProgressDeadlineExceeded";

// Pure pieces of the status computation, exposed for tests.
// DeploymentComplete: every replica updated and available, and the status current.
bool deployment_complete(const boost::json::object& d, const boost::json::object& status);
// SetDeploymentCondition on a status object: no change when status and reason are the
// same; lastTransitionTime kept when only the reason changes.
void set_deployment_condition(boost::json::object& status, boost::json::object condition);

// The Deployment controller while it runs.
class DeploymentController final : public controller::RunningController {
 public:
  DeploymentController(const controller::ControllerDeps& deps, unsigned workers);
  ~DeploymentController() override;
  void start() override;
  void stop() override;
  DeploymentSyncer& syncer() { return *syncer_; }
  bool idle() const { return loop_->idle(); }

 private:
  std::shared_ptr<Informer> deployments_, replica_sets_, pods_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
  std::unique_ptr<DeploymentSyncer> syncer_;
  std::vector<InformerRegistration> handlers_;
};

}  // namespace ukube::controllers::deployment
