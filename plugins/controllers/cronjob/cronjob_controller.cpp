#include "cronjob_controller.h"

#include <spdlog/logger.h>

#include <set>
#include <stdexcept>

#include <boost/json.hpp>

#include "cronjob_util.h"
#include "ukube/controller/cache_indexes.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"

namespace ukube::controllers::cronjob {
namespace json = boost::json;
namespace {

bool in_active(const json::object& cj, const std::string& uid) {
  bool found = false;
  machinery::for_each_object(machinery::array_at(cj, {"status", "active"}),
                             [&](const json::object& ref, size_t) {
                               if (machinery::string_at(ref, {"uid"}) == uid) found = true;
                             });
  return found;
}

bool in_active_by_name(const json::object& cj, const std::string& name) {
  bool found = false;
  const std::string ns = machinery::namespace_of(cj);
  machinery::for_each_object(
      machinery::array_at(cj, {"status", "active"}), [&](const json::object& ref, size_t) {
        if (machinery::string_at(ref, {"name"}) == name && machinery::string_at(ref, {"namespace"}) == ns)
          found = true;
      });
  return found;
}

// Drops the Job from status.active; an empty list is left out, as upstream's omitempty.
void remove_from_active(json::object& cj, const std::string& uid) {
  auto& status = machinery::child(cj, "status");
  auto* active = machinery::mutable_array(status, "active");
  if (!active) return;
  json::array kept;
  for (const auto& ref : *active)
    if (!ref.is_object() || machinery::string_at(ref.get_object(), {"uid"}) != uid) kept.push_back(ref);
  if (kept.empty())
    status.erase("active");
  else
    *active = std::move(kept);
}

json::object job_reference(const json::object& job) {
  return json::object{{"kind", "Job"},
                      {"namespace", machinery::namespace_of(job)},
                      {"name", machinery::name_of(job)},
                      {"uid", machinery::uid_of(job)},
                      {"apiVersion", "batch/v1"},
                      {"resourceVersion", machinery::meta_string(job, "resourceVersion")}};
}

}  // namespace

CronJobSyncer::CronJobSyncer(CronJobSyncerOptions options, CronJobQueue queue)
    : options_(std::move(options)), queue_(std::move(queue)) {
  indexers_.push_back(
      options_.jobs->add_indexer(controller::kNamespaceIndex, controller::index_by_namespace));
}

CronJobSyncer::~CronJobSyncer() = default;

Clock::time_point CronJobSyncer::now() const {
  return options_.now ? options_.now() : Clock::now();
}

void CronJobSyncer::event(const json::object& cj, const std::string& type, const std::string& reason,
                          const std::string& message) {
  if (options_.events) options_.events->event(cj, type, reason, message);
}

std::vector<ObjectPtr> CronJobSyncer::jobs_of(const json::object& cj) const {
  // Every Job whose controller reference names the CronJob, whatever its labels now say.
  std::vector<ObjectPtr> out;
  const std::string name = machinery::name_of(cj);
  for (const auto& job : options_.jobs->by_index(controller::kNamespaceIndex, machinery::namespace_of(cj)))
    if (const auto* ref = machinery::controller_of(*job); ref && machinery::string_at(*ref, {"name"}) == name)
      out.push_back(job);
  return out;
}

controller::Result CronJobSyncer::sync(const std::string& key) {
  ObjectPtr cached = options_.cronjobs->get(key);
  if (!cached) return controller::Result::done();
  const auto jobs = jobs_of(*cached);
  // One copy collects every change, written once.
  json::object cj = *cached;
  const bool cleaned = cleanup_finished_jobs(cj, jobs);
  const Outcome outcome = sync_cronjob(cj, jobs);
  if (!outcome.error.empty() && options_.log) options_.log->debug("cronjob {}: {}", key, outcome.error);
  if (cleaned || outcome.update_status) {
    WriteOptions write;
    write.return_object = false;
    options_.client->update(machinery::kCronJobs, machinery::namespace_of(cj), cj, write, "status");
  }
  if (outcome.requeue_after) return controller::Result::requeue_after(*outcome.requeue_after);
  if (!outcome.error.empty()) throw std::runtime_error(outcome.error);
  return controller::Result::done();
}

bool CronJobSyncer::cleanup_finished_jobs(json::object& cj, const std::vector<ObjectPtr>& jobs) {
  const auto successful_limit = machinery::int_at(cj, {"spec", "successfulJobsHistoryLimit"});
  const auto failed_limit = machinery::int_at(cj, {"spec", "failedJobsHistoryLimit"});
  if (!successful_limit && !failed_limit) return false;
  std::vector<ObjectPtr> succeeded, failed;
  for (const auto& job : jobs) {
    const std::string finished = finished_condition(*job);
    if (finished == "Complete")
      succeeded.push_back(job);
    else if (finished == "Failed")
      failed.push_back(job);
  }
  bool changed = false;
  if (successful_limit && remove_oldest(cj, std::move(succeeded), *successful_limit)) changed = true;
  if (failed_limit && remove_oldest(cj, std::move(failed), *failed_limit)) changed = true;
  return changed;
}

bool CronJobSyncer::remove_oldest(json::object& cj, std::vector<ObjectPtr> jobs, int64_t keep) {
  const int64_t excess = static_cast<int64_t>(jobs.size()) - keep;
  if (excess <= 0) return false;
  sort_by_start_time(jobs);
  bool changed = false;
  for (int64_t i = 0; i < excess; ++i)
    if (delete_job(cj, *jobs[static_cast<size_t>(i)])) changed = true;
  return changed;
}

bool CronJobSyncer::delete_job(json::object& cj, const json::object& job) {
  DeleteOptions options;
  options.propagation_policy = "Background";  // its pods go with it
  try {
    options_.client->remove(machinery::kJobs, machinery::namespace_of(job), machinery::name_of(job), options);
  } catch (const ApiError& e) {
    event(cj, "Warning", "FailedDelete", std::string("Deleted job: ") + e.what());
    if (options_.log)
      options_.log->warn("cronjob {}: deleting job {}: {}", object_key(cj), machinery::name_of(job),
                         e.what());
    return false;
  }
  remove_from_active(cj, machinery::uid_of(job));
  event(cj, "Normal", "SuccessfulDelete", "Deleted job " + machinery::name_of(job));
  return true;
}

CronJobSyncer::Outcome CronJobSyncer::sync_cronjob(json::object& cj, const std::vector<ObjectPtr>& jobs) {
  const Clock::time_point at = now();
  Outcome out;
  const std::string ns = machinery::namespace_of(cj);
  std::set<std::string> children;
  for (const auto& job : jobs) {
    const std::string uid = machinery::uid_of(*job);
    children.insert(uid);
    const bool found = in_active(cj, uid);
    const std::string finished = finished_condition(*job);
    if (!found && finished.empty()) {
      // Our cache may be behind our own status write: ask the API before complaining.
      ObjectPtr fresh;
      try {
        fresh = options_.client->get(machinery::kCronJobs, ns, machinery::name_of(cj));
      } catch (const ApiError& e) {
        out.error = e.what();
        return out;
      }
      if (in_active(*fresh, uid)) {
        cj = *fresh;
        continue;
      }
      event(cj, "Warning", "UnexpectedJob",
            "Saw a job that the controller did not create or forgot: " + machinery::name_of(*job));
    } else if (!finished.empty()) {
      if (found) {
        remove_from_active(cj, uid);
        event(cj, "Normal", "SawCompletedJob",
              "Saw completed job: " + machinery::name_of(*job) + ", condition: " + finished);
        out.update_status = true;
      }
      if (finished == "Complete") {
        // A succeeded Job counts whether or not it was still listed as active.
        const auto completed = time_at(*job, {"status", "completionTime"});
        const auto last = time_at(cj, {"status", "lastSuccessfulTime"});
        if (completed && (!last || *completed > *last)) {
          machinery::child(cj, "status")["lastSuccessfulTime"] = machinery::format_time(*completed);
          out.update_status = true;
        }
      }
    }
  }

  // An active Job that is gone (deleted by hand) must not hold the CronJob up forever.
  std::vector<json::object> active;
  machinery::for_each_object(machinery::array_at(cj, {"status", "active"}),
                             [&](const json::object& ref, size_t) { active.push_back(ref); });
  for (const auto& ref : active) {
    if (children.count(machinery::string_at(ref, {"uid"}))) continue;
    const std::string name = machinery::string_at(ref, {"name"});
    try {
      options_.client->get(machinery::kJobs, machinery::string_at(ref, {"namespace"}), name);
    } catch (const ApiError& e) {
      if (!is_not_found(e)) {
        out.error = e.what();
        return out;
      }
      event(cj, "Normal", "MissingJob", "Active job went missing: " + name);
      remove_from_active(cj, machinery::string_at(ref, {"uid"}));
      out.update_status = true;
    }
  }

  if (machinery::has_deletion_timestamp(cj)) return out;  // only the status is kept up

  const std::string schedule_text = machinery::string_at(cj, {"spec", "schedule"});
  if (const json::value* tz = machinery::value_at(cj, {"spec", "timeZone"}); tz && tz->is_string()) {
    std::string why;
    if (!TimeZone::load(tz->get_string(), &why)) {
      event(cj, "Warning", "UnknownTimeZone",
            "invalid timeZone: \"" + std::string(tz->get_string()) + "\": " + why);
      return out;
    }
  }
  if (machinery::bool_at(cj, {"spec", "suspend"}).value_or(false)) return out;
  if (schedule_text.find("TZ") != std::string::npos)
    event(cj, "Warning", "UnsupportedSchedule",
          "CRON_TZ or TZ used in schedule \"" + schedule_text +
              "\" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/"
              "cron-jobs/ for more details");
  std::string why;
  const auto schedule = cronjob_schedule(cj, &why);
  if (!schedule) {
    // A user's mistake: nothing to retry until the spec changes.
    event(cj, "Warning", "UnparseableSchedule", "unparseable schedule: \"" + schedule_text + "\" : " + why);
    return out;
  }

  const MostRecent recent = most_recent_schedule_time(cj, at, *schedule, true);
  if (!recent.scheduled || *recent.scheduled > at) {
    if (!recent.error.empty()) {
      event(cj, "Warning", "InvalidSchedule", "invalid schedule: " + schedule_text + " : " + recent.error);
      return out;
    }
    out.requeue_after = next_schedule_delay(cj, at, *schedule);
    return out;
  }
  if (recent.missed == Missed::Many)
    event(cj, "Warning", "TooManyMissedTimes",
          "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
  const Clock::time_point scheduled = *recent.scheduled;

  if (auto deadline = machinery::int_at(cj, {"spec", "startingDeadlineSeconds"});
      deadline && scheduled + std::chrono::seconds(*deadline) < at) {
    event(cj, "Warning", "MissSchedule",
          "Missed scheduled time to start a job: " + format_rfc1123z(scheduled));
    out.requeue_after = next_schedule_delay(cj, at, *schedule);
    return out;
  }
  const std::string name = job_name(machinery::name_of(cj), scheduled);
  if (in_active_by_name(cj, name) || time_at(cj, {"status", "lastScheduleTime"}) == scheduled) {
    out.requeue_after = next_schedule_delay(cj, at, *schedule);
    return out;
  }
  const std::string policy = machinery::string_at(cj, {"spec", "concurrencyPolicy"});
  const bool any_active = machinery::array_at(cj, {"status", "active"}) &&
                          !machinery::array_at(cj, {"status", "active"})->empty();
  if (policy == "Forbid" && any_active) {
    // Some risk remains of not seeing a running Job yet; upstream accepts it too.
    event(cj, "Normal", "JobAlreadyActive",
          "Not starting job because prior execution is running and concurrency policy is Forbid");
    out.requeue_after = next_schedule_delay(cj, at, *schedule);
    return out;
  }
  if (policy == "Replace") {
    std::vector<json::object> running;
    machinery::for_each_object(machinery::array_at(cj, {"status", "active"}),
                               [&](const json::object& ref, size_t) { running.push_back(ref); });
    for (const auto& ref : running) {
      ObjectPtr job;
      try {
        job = options_.client->get(machinery::kJobs, machinery::string_at(ref, {"namespace"}),
                                   machinery::string_at(ref, {"name"}));
      } catch (const ApiError& e) {
        event(cj, "Warning", "FailedGet", std::string("Get job: ") + e.what());
        out.error = e.what();
        return out;
      }
      if (!delete_job(cj, *job)) {
        out.error = "could not replace job " + machinery::namespace_of(*job) + "/" + machinery::name_of(*job);
        return out;
      }
      out.update_status = true;
    }
  }

  ObjectPtr created;
  bool existed = false;
  try {
    created = options_.client->create(machinery::kJobs, ns, job_from_template(cj, scheduled));
  } catch (const ApiError& e) {
    if (is_namespace_terminating(e)) {
      out.error = e.what();
      return out;
    }
    if (!is_already_exists(e)) {
      event(cj, "Warning", "FailedCreate", std::string("Error creating job: ") + e.what());
      out.error = e.what();
      return out;
    }
    // Made earlier (the status write after it failed) or by someone else.
    try {
      created = options_.client->get(machinery::kJobs, ns, name);
    } catch (const ApiError& get_error) {
      out.error = get_error.what();
      return out;
    }
    if (!machinery::is_controlled_by(*created, machinery::uid_of(cj))) return out;
    if (in_active(cj, machinery::uid_of(*created))) return out;
    existed = true;
  }
  if (!existed) event(cj, "Normal", "SuccessfulCreate", "Created job " + machinery::name_of(*created));
  if (options_.log)
    options_.log->debug("cronjob {}: job {} for {}", object_key(cj), machinery::name_of(*created),
                        machinery::format_time(scheduled));
  auto& status = machinery::child(cj, "status");
  machinery::child_array(status, "active").push_back(job_reference(*created));
  status["lastScheduleTime"] = machinery::format_time(scheduled);
  out.update_status = true;
  out.requeue_after = next_schedule_delay(cj, at, *schedule);
  return out;
}

ObjectPtr CronJobSyncer::resolve(const std::string& ns, const json::object* ref) const {
  if (!ref || machinery::string_at(*ref, {"kind"}) != "CronJob") return nullptr;
  ObjectPtr cj = options_.cronjobs->get(ns + "/" + machinery::string_at(*ref, {"name"}));
  if (!cj || machinery::uid_of(*cj) != machinery::string_at(*ref, {"uid"})) return nullptr;
  return cj;
}

InformerHandlers CronJobSyncer::cronjob_handlers() {
  auto add = [this](const ObjectPtr& cj) { queue_.add(object_key(*cj)); };
  return {add, [this](const ObjectPtr& old_cj, const ObjectPtr& cj) { cronjob_updated(old_cj, cj); }, add};
}

void CronJobSyncer::cronjob_updated(const ObjectPtr& old_cj, const ObjectPtr& cj) {
  const json::value* old_tz = machinery::value_at(*old_cj, {"spec", "timeZone"});
  const json::value* tz = machinery::value_at(*cj, {"spec", "timeZone"});
  const bool tz_changed = (old_tz == nullptr) != (tz == nullptr) || (tz && *tz != *old_tz);
  if (machinery::string_at(*old_cj, {"spec", "schedule"}) ==
          machinery::string_at(*cj, {"spec", "schedule"}) &&
      !tz_changed) {
    // Anything else may change what is due now.
    queue_.add(object_key(*cj));
    return;
  }
  // A new schedule: look again at its next time (a sync due sooner still happens).
  std::string why;
  const auto schedule = cronjob_schedule(*cj, &why);
  if (!schedule) {
    event(*cj, "Warning", "UnParseableCronJobSchedule",
          "unparseable schedule for cronjob: " + machinery::string_at(*cj, {"spec", "schedule"}));
    return;
  }
  if (auto delay = next_schedule_delay(*cj, now(), *schedule)) queue_.add_after(object_key(*cj), *delay);
}

InformerHandlers CronJobSyncer::job_handlers() {
  return {[this](const ObjectPtr& job) { job_changed(nullptr, job); },
          [this](const ObjectPtr& old_job, const ObjectPtr& job) { job_changed(old_job, job); },
          [this](const ObjectPtr& job) { job_changed(nullptr, job); }};
}

void CronJobSyncer::job_changed(const ObjectPtr& old_job, const ObjectPtr& job) {
  if (old_job) {
    if (machinery::meta_string(*old_job, "resourceVersion") ==
        machinery::meta_string(*job, "resourceVersion"))
      return;
    const auto* old_ref = machinery::controller_of(*old_job);
    const auto* ref = machinery::controller_of(*job);
    const bool ref_changed = (old_ref == nullptr) != (ref == nullptr) || (ref && *ref != *old_ref);
    if (ref_changed)
      if (ObjectPtr cj = resolve(machinery::namespace_of(*old_job), old_ref)) queue_.add(object_key(*cj));
  }
  if (ObjectPtr cj = resolve(machinery::namespace_of(*job), machinery::controller_of(*job)))
    queue_.add(object_key(*cj));
}

CronJobController::CronJobController(const controller::ControllerDeps& deps, unsigned workers)
    : cronjobs_(deps.informers->informer(machinery::kCronJobs)),
      jobs_(deps.informers->informer(machinery::kJobs)) {
  controller::LoopSettings settings;
  settings.name = "cronjob";
  settings.workers = workers;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      settings, [this](const std::string& key) { return syncer_->sync(key); }, deps.log);
  CronJobSyncerOptions options;
  options.client = deps.client;
  options.cronjobs = cronjobs_;
  options.jobs = jobs_;
  options.events = deps.events;
  options.log = deps.log;
  syncer_ = std::make_unique<CronJobSyncer>(
      std::move(options), CronJobQueue{[this](const std::string& key) { loop_->add(key); },
                                       [this](const std::string& key, std::chrono::milliseconds delay) {
                                         loop_->add_after(key, delay);
                                       }});
}

CronJobController::~CronJobController() {
  stop();
}

void CronJobController::start() {
  if (!handlers_.empty()) return;
  handlers_.push_back(cronjobs_->add_handlers(syncer_->cronjob_handlers()));
  handlers_.push_back(jobs_->add_handlers(syncer_->job_handlers()));
  loop_->start();
}

void CronJobController::stop() {
  handlers_.clear();
  loop_->stop();
}

}  // namespace ukube::controllers::cronjob
