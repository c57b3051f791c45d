#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "cron_schedule.h"
#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"

namespace spdlog {
class logger;
}

// upstream's CronJob controller (pkg/controller/cronjob, the "v2" one): a sync of a CronJob
//  - deletes its finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit,
//    oldest first (SuccessfulDelete);
//  - keeps status.active to its unfinished Jobs (SawCompletedJob, MissingJob, and
//    UnexpectedJob for one it did not make, such as `kubectl create job --from=cronjob/x`)
//    and status.lastSuccessfulTime to the latest completion;
//  - unless deleted, suspended or unparseable, makes the Job of the latest scheduled time
//    due — within startingDeadlineSeconds (else MissSchedule), after the Forbid and Replace
//    concurrency policies had their say — and sets status.lastScheduleTime;
//  - asks to be looked at again just after the next scheduled time, so no CronJob is
//    polled: a quiet controller does nothing between times.
// It reads CronJobs and Jobs from the informers' caches.
namespace ukube::controllers::cronjob {

struct CronJobQueue {
  std::function<void(const std::string& key)> add;
  std::function<void(const std::string& key, std::chrono::milliseconds delay)> add_after;
};

struct CronJobSyncerOptions {
  std::shared_ptr<Client> client;
  std::shared_ptr<Informer> cronjobs;
  std::shared_ptr<Informer> jobs;
  controller::EventRecorder* events = nullptr;  // may be null
  std::shared_ptr<spdlog::logger> log;          // may be null
  std::function<Clock::time_point()> now;       // empty: the real clock (tests set it)
};

class CronJobSyncer {
 public:
  CronJobSyncer(CronJobSyncerOptions options, CronJobQueue queue);
  ~CronJobSyncer();
  CronJobSyncer(const CronJobSyncer&) = delete;
  CronJobSyncer& operator=(const CronJobSyncer&) = delete;

  // Reconciles the CronJob `key` (namespace/name); throws what went wrong.
  controller::Result sync(const std::string& key);

  InformerHandlers cronjob_handlers();
  InformerHandlers job_handlers();
  void cronjob_updated(const ObjectPtr& old_cj, const ObjectPtr& cj);
  void job_changed(const ObjectPtr& old_job, const ObjectPtr& job);

 private:
  struct Outcome {
    std::optional<std::chrono::milliseconds> requeue_after;
    bool update_status = false;
    std::string error;  // retried with back-off unless a requeue is asked for
  };

  std::vector<ObjectPtr> jobs_of(const boost::json::object& cj) const;
  bool cleanup_finished_jobs(boost::json::object& cj, const std::vector<ObjectPtr>& jobs);
  bool remove_oldest(boost::json::object& cj, std::vector<ObjectPtr> jobs, int64_t keep);
  bool delete_job(boost::json::object& cj, const boost::json::object& job);
  Outcome sync_cronjob(boost::json::object& cj, const std::vector<ObjectPtr>& jobs);
  void event(const boost::json::object& cj, const std::string& type, const std::string& reason,
             const std::string& message);
  ObjectPtr resolve(const std::string& ns, const boost::json::object* ref) const;
  Clock::time_point now() const;

  CronJobSyncerOptions options_;
  CronJobQueue queue_;
  std::vector<InformerRegistration> indexers_;
};

// The CronJob controller while it runs.
class CronJobController final : public controller::RunningController {
 public:
  CronJobController(const controller::ControllerDeps& deps, unsigned workers);
  ~CronJobController() override;
  void start() override;
  void stop() override;
  CronJobSyncer& syncer() { return *syncer_; }

 private:
  std::shared_ptr<Informer> cronjobs_, jobs_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
  std::unique_ptr<CronJobSyncer> syncer_;
  std::vector<InformerRegistration> handlers_;
};

}  // namespace ukube::controllers::cronjob
