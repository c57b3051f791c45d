#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "job_pods.h"
#include "job_util.h"
#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/expectations.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"
#include "ukube/labels.h"
#include "ukube/machinery/time.h"

namespace spdlog {
class logger;
}

// upstream's Job controller (pkg/controller/job). A sync of a Job
//  - claims the pods its selector matches (ControllerRefManager) and counts the ones that
//    finished since the last count, through status.uncountedTerminatedPods and the
//    batch.kubernetes.io/job-tracking finalizer: a finished pod's uid (or, Indexed, its
//    index in completedIndexes) is written first, its finalizer removed next, and only then
//    is it moved into status.succeeded / status.failed, so no pod is counted twice or lost;
//  - decides whether the job is finished: pod failure policy FailJob, more failures than
//    backoffLimit, activeDeadlineSeconds passed (FailureTarget, then Failed once no pod is
//    left running), or enough completions (SuccessCriteriaMet, then Complete);
//  - otherwise keeps min(parallelism, completions left) pods running, after the back-off
//    that failures impose (10s doubling, at most 6 minutes), deletes surplus pods, and
//    deletes every pod of a suspended job (Suspended condition);
//  - writes status (active, ready, terminating, succeeded, failed, startTime,
//    completionTime, conditions) with an update of the status subresource.
// A second loop takes the tracking finalizer off pods whose job is gone or finished.
namespace ukube::controllers::job {

struct JobQueue {
  std::function<void(const std::string& key)> add;
  std::function<void(const std::string& key, std::chrono::milliseconds delay)> add_after;
  std::function<void(const std::string& pod_key)> add_orphan;
};

struct JobSyncerOptions {
  std::shared_ptr<Client> client;
  std::shared_ptr<Informer> jobs;
  std::shared_ptr<Informer> pods;
  controller::EventRecorder* events = nullptr;        // may be null
  std::shared_ptr<spdlog::logger> log;                // may be null
  std::function<machinery::Clock::time_point()> now;  // empty: the real clock
};

class JobSyncer {
 public:
  JobSyncer(JobSyncerOptions options, JobQueue queue);
  ~JobSyncer();
  JobSyncer(const JobSyncer&) = delete;
  JobSyncer& operator=(const JobSyncer&) = delete;

  // Reconciles the Job `key` (namespace/name); throws what went wrong.
  controller::Result sync(const std::string& key);
  // Removes the tracking finalizer of pod `key` when no unfinished job controls it.
  controller::Result sync_orphan(const std::string& pod_key);

  InformerHandlers job_handlers();
  InformerHandlers pod_handlers();
  void pod_added(const ObjectPtr& pod);
  void pod_updated(const ObjectPtr& old_pod, const ObjectPtr& pod);
  void pod_deleted(const ObjectPtr& pod);
  void job_deleted(const ObjectPtr& job);

  controller::TrackingExpectations& expectations() { return expectations_; }

 private:
  struct Backoff {
    int64_t failures = 0;  // after the last success
    machinery::Clock::time_point last_failure{};
  };
  struct Ctx;

  std::vector<ObjectPtr> pods_for_job(const boost::json::object& job, const LabelSelector& selector);
  // Creates or deletes pods; returns the active count afterwards.
  int64_t manage(Ctx& ctx, controller::Result& result);
  int64_t delete_pods(Ctx& ctx, const std::vector<ObjectPtr>& pods, bool keep_finalizers,
                      int64_t* ready_removed);
  void track_status(Ctx& ctx);
  void write_status(Ctx& ctx);
  Backoff next_backoff(const std::string& key, const std::vector<ObjectPtr>& succeeded,
                       const std::vector<ObjectPtr>& failed) const;

  ObjectPtr resolve(const std::string& ns, const boost::json::object* ref) const;
  void enqueue_for_pod(const boost::json::object& pod);
  bool finalizer_removal_pending(const std::string& uid) const;
  void event(const boost::json::object& job, const std::string& type, const std::string& reason,
             const std::string& message);
  machinery::Clock::time_point now() const;

  JobSyncerOptions options_;
  JobQueue queue_;
  JobPodControl pod_control_;
  controller::TrackingExpectations expectations_;
  mutable std::mutex mutex_;
  std::map<std::string, Backoff> backoff_;    // by job key
  std::set<std::string> removing_finalizer_;  // pod uids whose finalizer removal the cache has not shown yet
  // The resourceVersion of each job's last status write: a cache older than that would
  // count pods whose finalizers are gone as never finished, and start their replacements.
  std::map<std::string, int64_t> written_;
  std::vector<InformerRegistration> indexers_;
};

// The Job controller while it runs.
class JobController final : public controller::RunningController {
 public:
  JobController(const controller::ControllerDeps& deps, unsigned workers);
  ~JobController() override;
  void start() override;
  void stop() override;
  JobSyncer& syncer() { return *syncer_; }
  bool idle() const { return loop_->idle() && orphans_->idle(); }

 private:
  std::shared_ptr<Informer> jobs_, pods_;
  std::unique_ptr<controller::ReconcileLoop> loop_, orphans_;
  std::unique_ptr<JobSyncer> syncer_;
  std::vector<InformerRegistration> handlers_;
};

}  // namespace ukube::controllers::job
