#include "job_controller.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <boost/json.hpp>

#include "ukube/controller/cache_indexes.h"
#include "ukube/controller/controller_ref_manager.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/pod.h"
#include "ukube/machinery/resources.h"

namespace ukube::controllers::job {
namespace json = boost::json;
using machinery::int_or;
using machinery::string_at;

namespace {

constexpr std::chrono::milliseconds kUnsyncedRetry{100};

std::optional<LabelSelector> job_selector(const json::object& job, std::string* error) {
  const auto* selector = machinery::object_at(job, {"spec", "selector"});
  if (!selector) return machinery::selector_from_json_or_nothing(nullptr);
  return machinery::selector_from_json(*selector, error);
}

// Zero counters are left out, as upstream's omitempty int32 fields.
void set_count(json::object& status, const char* key, int64_t value) {
  if (value == 0)
    status.erase(key);
  else
    status[key] = value;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::vector<std::string> strings_of(const json::object& status, const char* list) {
  return machinery::strings_at(status, {"uncountedTerminatedPods", list});
}

// Requeue at the earlier of the two.
void sooner(controller::Result& result, std::chrono::milliseconds delay) {
  if (delay < std::chrono::milliseconds(1)) delay = std::chrono::milliseconds(1);
  if (result.next == controller::Result::Next::RequeueAfter && result.after <= delay) return;
  if (result.next == controller::Result::Next::Retry) return;
  result = controller::Result::requeue_after(delay);
}

// resourceVersion as the store's revision, which ukube's stores keep numeric and
// monotonic; 0 when it is not a number.
int64_t revision_of(const json::object& object) {
  const std::string rv = machinery::meta_string(object, "resourceVersion");
  int64_t value = 0;
  auto [end, ec] = std::from_chars(rv.data(), rv.data() + rv.size(), value);
  return ec == std::errc() && end == rv.data() + rv.size() ? value : 0;
}

bool is_success(const json::object& condition) {
  const std::string type = string_at(condition, {"type"});
  return type == kSuccessCriteriaMet || type == kComplete;
}

}  // namespace

// What one sync knows about its job, as upstream's syncJobCtx.
struct JobSyncer::Ctx {
  std::string key;
  json::object job;     // as last read or written
  json::object status;  // the status being worked out
  std::vector<ObjectPtr> pods, active_pods;
  std::vector<std::string> uncounted_succeeded, uncounted_failed;
  int64_t active = 0, succeeded = 0, failed = 0, ready = 0, terminating = 0;
  std::optional<json::object> finished;  // the condition the job is to end with
  OrderedIntervals prev_indexes, succeeded_indexes;
  bool satisfied = true;
  Backoff backoff;
  machinery::Clock::time_point now;
  std::string manage_error;
};

JobSyncer::JobSyncer(JobSyncerOptions options, JobQueue queue)
    : options_(std::move(options)), queue_(std::move(queue)), pod_control_(options_.client, options_.events) {
  indexers_.push_back(
      options_.pods->add_indexer(controller::kControllerUidIndex, controller::index_by_controller_uid));
  indexers_.push_back(
      options_.pods->add_indexer(controller::kOrphansIndex, controller::index_orphans_by_namespace));
  indexers_.push_back(
      options_.jobs->add_indexer(controller::kNamespaceIndex, controller::index_by_namespace));
}

JobSyncer::~JobSyncer() = default;

machinery::Clock::time_point JobSyncer::now() const {
  return options_.now ? options_.now() : machinery::Clock::now();
}

void JobSyncer::event(const json::object& job, const std::string& type, const std::string& reason,
                      const std::string& message) {
  if (options_.events) options_.events->event(controller::reference_to(job, kJobKind), type, reason, message);
}

ObjectPtr JobSyncer::resolve(const std::string& ns, const json::object* ref) const {
  return controller::resolve_controller_ref(*options_.jobs, ns, ref, kJobKind.kind);
}

bool JobSyncer::finalizer_removal_pending(const std::string& uid) const {
  std::lock_guard lock(mutex_);
  return removing_finalizer_.count(uid) > 0;
}

std::vector<ObjectPtr> JobSyncer::pods_for_job(const json::object& job, const LabelSelector& selector) {
  const std::string ns = machinery::namespace_of(job);
  std::vector<ObjectPtr> candidates;
  for (const auto& pod : options_.pods->by_index(controller::kControllerUidIndex, machinery::uid_of(job)))
    if (machinery::namespace_of(*pod) == ns) candidates.push_back(pod);
  for (const auto& pod : options_.pods->by_index(controller::kOrphansIndex, ns)) candidates.push_back(pod);
  controller::ControllerRefManager refs(
      *options_.client, machinery::kPods, "Pod", job, kJobKind, selector,
      controller::recheck_owner(*options_.client, machinery::kJobs, kJobKind.kind, job));
  auto claimed = refs.claim(candidates);
  if (!claimed.errors.empty()) throw std::runtime_error(claimed.error());
  // Adopted pods are tracked as the job's own: they get the finalizer too.
  std::vector<ObjectPtr> out;
  for (const auto& pod : claimed.objects) {
    if (machinery::controller_of(*pod) || has_tracking_finalizer(*pod)) {
      out.push_back(pod);
    } else if (ObjectPtr tracked = pod_control_.add_finalizer(*pod)) {
      out.push_back(tracked);
    }
  }
  return out;
}

JobSyncer::Backoff JobSyncer::next_backoff(const std::string& key, const std::vector<ObjectPtr>& succeeded,
                                           const std::vector<ObjectPtr>& failed) const {
  Backoff backoff;
  {
    std::lock_guard lock(mutex_);
    if (auto it = backoff_.find(key); it != backoff_.end()) backoff = it->second;
  }
  const auto t = now();
  auto latest = [&](const std::vector<ObjectPtr>& pods) {
    machinery::Clock::time_point out{};
    for (const auto& p : pods) out = std::max(out, pod_finish_time(*p, t));
    return out;
  };
  if (succeeded.empty()) {
    if (failed.empty()) return backoff;
    backoff.failures += static_cast<int64_t>(failed.size());
    backoff.last_failure = latest(failed);
    return backoff;
  }
  // Only the failures after the last success count towards the next wait.
  const auto last_success = latest(succeeded);
  backoff = Backoff{};
  for (const auto& p : failed) {
    const auto finished = pod_finish_time(*p, t);
    if (finished <= last_success) continue;
    ++backoff.failures;
    backoff.last_failure = std::max(backoff.last_failure, finished);
  }
  return backoff;
}

controller::Result JobSyncer::sync(const std::string& key) {
  if (!options_.jobs->has_synced() || !options_.pods->has_synced())
    return controller::Result::requeue_after(kUnsyncedRetry);
  ObjectPtr cached = options_.jobs->get(key);
  if (!cached) {
    expectations_.forget(key);
    std::lock_guard lock(mutex_);
    backoff_.erase(key);
    written_.erase(key);
    return controller::Result::done();
  }
  {
    // The cache has not caught up with our last write: its update event queues the job
    // again once it has.
    std::lock_guard lock(mutex_);
    if (auto it = written_.find(key); it != written_.end() && revision_of(*cached) < it->second)
      return controller::Result::done();
  }
  if (is_job_finished(*cached)) return controller::Result::done();
  // A job another controller manages (spec.managedBy) is left to it.
  const std::string managed_by = string_at(*cached, {"spec", "managedBy"});
  if (!managed_by.empty() && managed_by != kControllerName) return controller::Result::done();
  std::string selector_error;
  auto selector = job_selector(*cached, &selector_error);
  if (!selector) {
    if (options_.log) options_.log->error("invalid selector of job {}: {}", key, selector_error);
    return controller::Result::done();
  }

  Ctx ctx;
  ctx.key = key;
  ctx.job = *cached;
  ctx.now = now();
  // Expectations are read before the pods, as upstream: a pod that shows up in between
  // then defers the creations to the next sync rather than being made twice.
  ctx.satisfied = expectations_.satisfied(key);
  ctx.pods = pods_for_job(ctx.job, *selector);
  ctx.status = machinery::object_or_empty(machinery::object_at(ctx.job, {"status"}));
  ctx.uncounted_succeeded = strings_of(ctx.status, "succeeded");
  ctx.uncounted_failed = strings_of(ctx.status, "failed");
  const bool indexed = is_indexed(ctx.job);
  const int64_t completions = completions_of(ctx.job).value_or(0);
  const json::object* policy = machinery::object_at(ctx.job, {"spec", "podFailurePolicy"});

  std::vector<ObjectPtr> new_succeeded, new_failed;
  for (const auto& pod : ctx.pods) {
    if (machinery::is_pod_active(*pod)) ctx.active_pods.push_back(pod);
    if (machinery::has_deletion_timestamp(*pod) && !machinery::is_pod_terminal(*pod)) ++ctx.terminating;
    const std::string uid = machinery::uid_of(*pod);
    if (!has_tracking_finalizer(*pod) || finalizer_removal_pending(uid)) continue;
    if (indexed && (completion_index(*pod) < 0 || completion_index(*pod) >= completions)) continue;
    if (contains(ctx.uncounted_succeeded, uid) || contains(ctx.uncounted_failed, uid)) continue;
    if (machinery::pod_phase(*pod) == "Succeeded")
      new_succeeded.push_back(pod);
    else if (is_pod_failed(*pod, ctx.job))
      new_failed.push_back(pod);
  }
  int64_t counted_failures = 0;
  for (const auto& pod : new_failed)
    if (match_pod_failure_policy(policy, *pod).count_failed) ++counted_failures;
  ctx.active = static_cast<int64_t>(ctx.active_pods.size());
  ctx.succeeded = int_or(ctx.status, {"succeeded"}, 0) + static_cast<int64_t>(new_succeeded.size()) +
                  static_cast<int64_t>(ctx.uncounted_succeeded.size());
  ctx.failed = int_or(ctx.status, {"failed"}, 0) + counted_failures +
               static_cast<int64_t>(ctx.uncounted_failed.size());
  for (const auto& pod : ctx.active_pods)
    if (machinery::is_pod_ready(*pod)) ++ctx.ready;
  ctx.backoff = next_backoff(key, new_succeeded, new_failed);

  controller::Result result = controller::Result::done();
  const bool suspended = job_suspended(ctx.job);
  const auto deadline = machinery::int_at(ctx.job, {"spec", "activeDeadlineSeconds"});
  if (!machinery::is_set(ctx.status, "startTime") && !suspended) {
    ctx.status["startTime"] = machinery::format_time(ctx.now);
    if (deadline) sooner(result, std::chrono::seconds(*deadline));
  }

  const json::array no_conditions;
  const json::array& conditions = machinery::array_at(ctx.status, {"conditions"})
                                      ? *machinery::array_at(ctx.status, {"conditions"})
                                      : no_conditions;
  if (const auto* target = true_condition(conditions, kFailureTarget)) {
    ctx.finished = new_condition(kFailed, "True", string_at(*target, {"reason"}),
                                 string_at(*target, {"message"}), ctx.now);
  } else if (const auto* met = true_condition(conditions, kSuccessCriteriaMet)) {
    ctx.finished =
        new_condition(kComplete, "True", string_at(*met, {"reason"}), string_at(*met, {"message"}), ctx.now);
  } else if (policy) {
    for (const auto& pod : ctx.pods) {
      if (!is_pod_failed(*pod, ctx.job)) continue;
      if (auto message = match_pod_failure_policy(policy, *pod).fail_job_message) {
        ctx.finished = new_condition(kFailureTarget, "True", kReasonPodFailurePolicy, *message, ctx.now);
        break;
      }
    }
  }
  if (!ctx.finished) {
    const auto start = machinery::parse_time(string_at(ctx.status, {"startTime"}));
    if (ctx.failed > int_or(ctx.job, {"spec", "backoffLimit"}, 6) ||
        past_backoff_limit_on_failure(ctx.job, ctx.pods)) {
      ctx.finished = new_condition(kFailureTarget, "True", kReasonBackoffLimitExceeded,
                                   "Job has reached the specified backoff limit", ctx.now);
    } else if (deadline && start && !suspended && ctx.now - *start >= std::chrono::seconds(*deadline)) {
      ctx.finished = new_condition(kFailureTarget, "True", kReasonDeadlineExceeded,
                                   "Job was active longer than specified deadline", ctx.now);
    } else if (deadline && start && !suspended) {
      sooner(result, std::chrono::duration_cast<std::chrono::milliseconds>(
                         *start + std::chrono::seconds(*deadline) - ctx.now));
    }
  }

  if (indexed) {
    ctx.prev_indexes = OrderedIntervals::parse(string_at(ctx.status, {"completedIndexes"}), completions);
    std::vector<int64_t> done;
    for (const auto& pod : ctx.pods) {
      const int64_t ix = completion_index(*pod);
      if (machinery::pod_phase(*pod) == "Succeeded" && ix >= 0 && ix < completions &&
          has_tracking_finalizer(*pod))
        done.push_back(ix);
    }
    ctx.succeeded_indexes = ctx.prev_indexes.with(done);
    ctx.succeeded = ctx.succeeded_indexes.total();
  }

  if (ctx.finished) {
    // Every pod still running goes; the job ends once they are gone and counted.
    int64_t ready_removed = 0;
    const int64_t deleted = delete_pods(ctx, ctx.active_pods, true, &ready_removed);
    if (deleted != ctx.active || !ctx.satisfied) ctx.finished.reset();
    ctx.active -= deleted;
    ctx.terminating += deleted;
    ctx.ready -= ready_removed;
  } else {
    bool managed = false;
    if (ctx.satisfied && !machinery::has_deletion_timestamp(ctx.job)) {
      ctx.active = manage(ctx, result);
      managed = true;
    }
    const auto want = completions_of(ctx.job);
    const bool complete =
        want ? ctx.succeeded >= *want && ctx.active == 0 : ctx.succeeded > 0 && ctx.active == 0;
    if (complete) {
      ctx.finished = new_condition(kSuccessCriteriaMet, "True", kReasonCompletionsReached,
                                   "Reached expected number of succeeded pods", ctx.now);
    } else if (managed) {
      auto& list = machinery::child_array(ctx.status, "conditions");
      if (suspended) {
        if (ensure_condition(list, kSuspended, "True", "JobSuspended", "Job suspended", ctx.now))
          event(ctx.job, "Normal", "Suspended", "Job suspended");
      } else if (ensure_condition(list, kSuspended, "False", "JobResumed", "Job resumed", ctx.now)) {
        event(ctx.job, "Normal", "Resumed", "Job resumed");
        // activeDeadlineSeconds counts the time a job runs without a pause.
        ctx.status["startTime"] = machinery::format_time(ctx.now);
      }
      if (list.empty()) ctx.status.erase("conditions");
    }
  }
  set_count(ctx.status, "active", ctx.active);
  ctx.status["ready"] = ctx.ready;
  ctx.status["terminating"] = ctx.terminating;
  track_status(ctx);
  {
    std::lock_guard lock(mutex_);
    backoff_[key] = ctx.backoff;
  }
  if (!ctx.manage_error.empty()) throw std::runtime_error(ctx.manage_error);
  return result;
}

int64_t JobSyncer::manage(Ctx& ctx, controller::Result& result) {
  const json::object& job = ctx.job;
  int64_t active = ctx.active;
  int64_t ready_removed = 0;
  auto remove = [&](std::vector<ObjectPtr> pods) {
    if (static_cast<int64_t>(pods.size()) > kMaxPodCreateDeletePerSync)
      pods.resize(kMaxPodCreateDeletePerSync);
    std::vector<std::string> uids;
    for (const auto& p : pods) uids.push_back(machinery::uid_of(*p));
    expectations_.expect_deletions(ctx.key, uids);
    const int64_t removed = delete_pods(ctx, pods, false, &ready_removed);
    ctx.terminating += removed;
    ctx.ready -= ready_removed;
    return active - removed;
  };
  if (job_suspended(job)) return remove(ctx.active_pods);

  const int64_t parallelism = int_or(job, {"spec", "parallelism"}, 1);
  const auto completions = completions_of(job);
  int64_t want = 0;
  if (!completions)
    want = ctx.succeeded > 0 ? active : parallelism;
  else
    want = std::clamp<int64_t>(*completions - ctx.succeeded, 0, parallelism);

  // Surplus pods go first: for Indexed jobs those of an index that is done, out of range or
  // taken twice, then the cheapest to lose.
  std::vector<ObjectPtr> surplus, rest;
  if (is_indexed(job)) {
    std::set<int64_t> seen;
    for (const auto& pod : ctx.active_pods) {
      const int64_t ix = completion_index(*pod);
      if (ix < 0 || ix >= completions.value_or(0) || ctx.succeeded_indexes.has(ix) || !seen.insert(ix).second)
        surplus.push_back(pod);
      else
        rest.push_back(pod);
    }
  } else {
    rest = ctx.active_pods;
  }
  const int64_t at_least = std::max<int64_t>(0, active - want);
  if (static_cast<int64_t>(surplus.size()) < at_least) {
    sort_for_removal(rest);
    const auto more = static_cast<size_t>(at_least - static_cast<int64_t>(surplus.size()));
    surplus.insert(surplus.end(), rest.begin(),
                   rest.begin() + static_cast<std::ptrdiff_t>(std::min(more, rest.size())));
  }
  // Deletions and creations never mix in one sync; deletions come first.
  if (!surplus.empty()) return remove(surplus);

  const int64_t terminating = only_replace_failed_pods(job) ? ctx.terminating : 0;
  int64_t diff = want - terminating - active;
  if (diff <= 0) return active;
  const auto wait = backoff_remaining(ctx.backoff.failures, ctx.backoff.last_failure, ctx.now);
  if (wait.count() > 0) {
    sooner(result, wait);
    return active;
  }
  diff = std::min(diff, kMaxPodCreateDeletePerSync);
  std::vector<int64_t> indexes;
  if (is_indexed(job)) {
    std::vector<int64_t> taken;
    for (const auto& pod : ctx.pods) {
      const bool counts = machinery::is_pod_active(*pod) ||
                          (only_replace_failed_pods(job) && machinery::has_deletion_timestamp(*pod) &&
                           !machinery::is_pod_terminal(*pod));
      if (counts && completion_index(*pod) >= 0) taken.push_back(completion_index(*pod));
    }
    indexes = first_pending_indexes(ctx.succeeded_indexes.with(taken), diff, completions.value_or(0));
    diff = static_cast<int64_t>(indexes.size());
    if (diff == 0) return active;
  }
  expectations_.counts().expect_creations(ctx.key, diff);
  // Slow start, as upstream: batches of 1, 2, 4, ... so a failing create (quota) is not
  // tried hundreds of times; what is left after a failed batch waits for the next sync.
  int64_t made = 0;
  for (int64_t batch = 1; made < diff; batch *= 2) {
    const int64_t end = std::min(diff, made + batch);
    bool failed = false;
    for (; made < end; ++made) {
      try {
        pod_control_.create(job, indexes.empty() ? -1 : indexes[static_cast<size_t>(made)]);
        ++active;
      } catch (const ApiError& e) {
        expectations_.counts().creation_observed(ctx.key);
        if (is_namespace_terminating(e)) continue;
        failed = true;
        if (ctx.manage_error.empty()) ctx.manage_error = e.what();
      }
    }
    if (failed) {
      for (; made < diff; ++made) expectations_.counts().creation_observed(ctx.key);
      break;
    }
  }
  return active;
}

int64_t JobSyncer::delete_pods(Ctx& ctx, const std::vector<ObjectPtr>& pods, bool keep_finalizers,
                               int64_t* ready_removed) {
  int64_t removed = 0;
  for (const auto& pod : pods) {
    const std::string uid = machinery::uid_of(*pod);
    try {
      // A pod deleted while the job runs on is not counted: its finalizer goes first.
      if (!keep_finalizers && has_tracking_finalizer(*pod) && pod_control_.remove_finalizer(*pod)) {
        std::lock_guard lock(mutex_);
        removing_finalizer_.insert(uid);
      }
      pod_control_.remove(ctx.job, *pod);
    } catch (const std::exception& e) {
      if (!keep_finalizers) expectations_.deletion_observed(ctx.key, uid);
      if (ctx.manage_error.empty()) ctx.manage_error = e.what();
      continue;
    }
    ++removed;
    if (machinery::is_pod_ready(*pod)) ++*ready_removed;
  }
  return removed;
}

void JobSyncer::track_status(Ctx& ctx) {
  const json::object& job = ctx.job;
  const bool indexed = is_indexed(job);
  const int64_t completions = completions_of(job).value_or(0);
  const json::object* policy = machinery::object_at(job, {"spec", "podFailurePolicy"});
  const bool failing = ctx.finished && !is_success(*ctx.finished);
  std::vector<ObjectPtr> to_release;
  std::vector<int64_t> new_indexes;
  for (const auto& pod : ctx.pods) {
    const std::string uid = machinery::uid_of(*pod);
    if (!has_tracking_finalizer(*pod) || finalizer_removal_pending(uid)) continue;
    const bool pod_failed = is_pod_failed(*pod, job);
    const bool succeeded = machinery::pod_phase(*pod) == "Succeeded";
    // A pod's finalizer stays until it is counted, or the job no longer needs it.
    if (!(machinery::has_deletion_timestamp(job) || ctx.finished || succeeded || pod_failed)) continue;
    to_release.push_back(pod);
    const int64_t ix = completion_index(*pod);
    if (succeeded && !contains(ctx.uncounted_failed, uid)) {
      if (indexed) {
        if (ix >= 0 && ix < completions && !ctx.prev_indexes.has(ix)) new_indexes.push_back(ix);
      } else if (!contains(ctx.uncounted_succeeded, uid)) {
        ctx.uncounted_succeeded.push_back(uid);
      }
    } else if (pod_failed || failing) {
      // A job that fails takes its unfinished pods down with it: they count as failed.
      if (contains(ctx.uncounted_failed, uid) || (indexed && (ix < 0 || ix >= completions))) continue;
      if (match_pod_failure_policy(policy, *pod).count_failed) ctx.uncounted_failed.push_back(uid);
    }
  }
  if (indexed) {
    ctx.succeeded_indexes = ctx.prev_indexes.with(new_indexes);
    const std::string text = ctx.succeeded_indexes.to_string();
    if (text.empty())
      ctx.status.erase("completedIndexes");
    else
      ctx.status["completedIndexes"] = text;
    set_count(ctx.status, "succeeded", ctx.succeeded_indexes.total());
  }
  // The interim condition is written before any finalizer goes, so a job that failed or
  // succeeded stays so whatever happens to its pods next.
  if (ctx.finished && string_at(*ctx.finished, {"type"}) == kFailureTarget) {
    auto& list = machinery::child_array(ctx.status, "conditions");
    ensure_condition(list, kFailureTarget, "True", string_at(*ctx.finished, {"reason"}),
                     string_at(*ctx.finished, {"message"}), ctx.now);
    ctx.finished = new_condition(kFailed, "True", string_at(*ctx.finished, {"reason"}),
                                 string_at(*ctx.finished, {"message"}), ctx.now);
  } else if (ctx.finished && string_at(*ctx.finished, {"type"}) == kSuccessCriteriaMet) {
    auto& list = machinery::child_array(ctx.status, "conditions");
    ensure_condition(list, kSuccessCriteriaMet, "True", string_at(*ctx.finished, {"reason"}),
                     string_at(*ctx.finished, {"message"}), ctx.now);
    ctx.finished = new_condition(kComplete, "True", string_at(*ctx.finished, {"reason"}),
                                 string_at(*ctx.finished, {"message"}), ctx.now);
  }
  auto write_uncounted = [&] {
    json::object uncounted;
    if (!ctx.uncounted_succeeded.empty())
      uncounted["succeeded"] = json::array(ctx.uncounted_succeeded.begin(), ctx.uncounted_succeeded.end());
    if (!ctx.uncounted_failed.empty())
      uncounted["failed"] = json::array(ctx.uncounted_failed.begin(), ctx.uncounted_failed.end());
    ctx.status["uncountedTerminatedPods"] = std::move(uncounted);
  };
  write_uncounted();
  write_status(ctx);

  std::set<std::string> with_finalizer;
  for (const auto& pod : ctx.pods)
    if (has_tracking_finalizer(*pod) && !finalizer_removal_pending(machinery::uid_of(*pod)))
      with_finalizer.insert(machinery::uid_of(*pod));
  std::string error;
  for (const auto& pod : to_release) {
    try {
      if (pod_control_.remove_finalizer(*pod)) {
        std::lock_guard lock(mutex_);
        removing_finalizer_.insert(machinery::uid_of(*pod));
      }
      with_finalizer.erase(machinery::uid_of(*pod));
    } catch (const std::exception& e) {
      if (error.empty()) error = std::string("removing tracking finalizer: ") + e.what();
    }
  }
  // A pod without its finalizer is counted for good.
  auto settle = [&](std::vector<std::string>& uncounted, const char* counter) {
    std::vector<std::string> left;
    int64_t moved = 0;
    for (const auto& uid : uncounted)
      if (with_finalizer.count(uid))
        left.push_back(uid);
      else
        ++moved;
    uncounted = std::move(left);
    set_count(ctx.status, counter, int_or(ctx.status, {counter}, 0) + moved);
  };
  settle(ctx.uncounted_succeeded, "succeeded");
  settle(ctx.uncounted_failed, "failed");
  write_uncounted();

  bool finished_now = false;
  if (ctx.finished && ctx.uncounted_succeeded.empty() && ctx.uncounted_failed.empty() &&
      ctx.terminating == 0) {
    auto& list = machinery::child_array(ctx.status, "conditions");
    const std::string type = string_at(*ctx.finished, {"type"});
    ensure_condition(list, type, "True", string_at(*ctx.finished, {"reason"}),
                     string_at(*ctx.finished, {"message"}), ctx.now);
    if (type == kComplete) ctx.status["completionTime"] = machinery::format_time(ctx.now);
    finished_now = true;
  }
  write_status(ctx);
  if (finished_now) {
    if (string_at(*ctx.finished, {"type"}) == kComplete) {
      const auto want = completions_of(job);
      if (want && int_or(ctx.status, {"succeeded"}, 0) > *want)
        event(ctx.job, "Warning", "TooManySucceededPods",
              "Too many succeeded pods running after completion count reached");
      event(ctx.job, "Normal", "Completed", "Job completed");
    } else {
      event(ctx.job, "Warning", string_at(*ctx.finished, {"reason"}), string_at(*ctx.finished, {"message"}));
    }
  }
  if (!error.empty()) throw std::runtime_error(error);
}

void JobSyncer::write_status(Ctx& ctx) {
  if (machinery::object_or_empty(machinery::object_at(ctx.job, {"status"})) == ctx.status) return;
  json::object updated = ctx.job;
  updated["status"] = ctx.status;
  // Status goes through the status subresource with the job's resourceVersion: a sync that
  // read a stale job fails with 409 Conflict instead of counting a pod twice.
  ObjectPtr written =
      options_.client->update(machinery::kJobs, machinery::namespace_of(ctx.job), updated, {}, "status");
  ctx.job = written ? *written : std::move(updated);
  std::lock_guard lock(mutex_);
  written_[ctx.key] = revision_of(ctx.job);
}

controller::Result JobSyncer::sync_orphan(const std::string& pod_key) {
  ObjectPtr pod = options_.pods->get(pod_key);
  if (!pod || !has_tracking_finalizer(*pod) || finalizer_removal_pending(machinery::uid_of(*pod)))
    return controller::Result::done();
  if (const auto* ref = machinery::controller_of(*pod)) {
    // Pods of other controllers keep the finalizer, and so do the pods of a running job.
    if (string_at(*ref, {"kind"}) != kJobKind.kind || string_at(*ref, {"apiVersion"}) != "batch/v1")
      return controller::Result::done();
    ObjectPtr job = resolve(machinery::namespace_of(*pod), ref);
    if (job && !is_job_finished(*job)) return controller::Result::done();
  }
  if (pod_control_.remove_finalizer(*pod)) {
    std::lock_guard lock(mutex_);
    removing_finalizer_.insert(machinery::uid_of(*pod));
  }
  return controller::Result::done();
}

InformerHandlers JobSyncer::job_handlers() {
  return {[this](const ObjectPtr& job) { queue_.add(object_key(*job)); },
          [this](const ObjectPtr& old_job, const ObjectPtr& job) {
            queue_.add(object_key(*job));
            // Pods a job left with their finalizer when it finished lose it now.
            if (!is_job_finished(*old_job) && is_job_finished(*job))
              for (const auto& pod :
                   options_.pods->by_index(controller::kControllerUidIndex, machinery::uid_of(*job)))
                if (has_tracking_finalizer(*pod)) queue_.add_orphan(object_key(*pod));
          },
          [this](const ObjectPtr& job) { job_deleted(job); }};
}

void JobSyncer::job_deleted(const ObjectPtr& job) {
  const std::string key = object_key(*job);
  expectations_.forget(key);
  {
    std::lock_guard lock(mutex_);
    backoff_.erase(key);
    written_.erase(key);
  }
  queue_.add(key);
  for (const auto& pod : options_.pods->by_index(controller::kControllerUidIndex, machinery::uid_of(*job)))
    if (has_tracking_finalizer(*pod)) queue_.add_orphan(object_key(*pod));
}

InformerHandlers JobSyncer::pod_handlers() {
  return {[this](const ObjectPtr& pod) { pod_added(pod); },
          [this](const ObjectPtr& old_pod, const ObjectPtr& pod) { pod_updated(old_pod, pod); },
          [this](const ObjectPtr& pod) { pod_deleted(pod); }};
}

void JobSyncer::enqueue_for_pod(const json::object& pod) {
  if (const auto* ref = machinery::controller_of(pod)) {
    ObjectPtr job = resolve(machinery::namespace_of(pod), ref);
    if (job && !is_job_finished(*job))
      queue_.add(object_key(*job));
    else if (has_tracking_finalizer(pod))
      queue_.add_orphan(object_key(pod));
    return;
  }
  if (has_tracking_finalizer(pod)) queue_.add_orphan(object_key(pod));
  for (const auto& job : controller::owners_selecting(*options_.jobs, pod, job_selector))
    queue_.add(object_key(*job));
}

void JobSyncer::pod_added(const ObjectPtr& pod) {
  if (machinery::has_deletion_timestamp(*pod)) {
    // Seen first while already going (a re-list): as good as deleted for expectations.
    pod_deleted(pod);
    return;
  }
  if (const auto* ref = machinery::controller_of(*pod))
    if (ObjectPtr job = resolve(machinery::namespace_of(*pod), ref))
      expectations_.counts().creation_observed(object_key(*job));
  enqueue_for_pod(*pod);
}

void JobSyncer::pod_updated(const ObjectPtr& old_pod, const ObjectPtr& pod) {
  if (machinery::meta_string(*old_pod, "resourceVersion") == machinery::meta_string(*pod, "resourceVersion"))
    return;
  if (!has_tracking_finalizer(*pod)) {
    std::lock_guard lock(mutex_);
    removing_finalizer_.erase(machinery::uid_of(*pod));
  }
  const auto* ref = machinery::controller_of(*pod);
  if (machinery::has_deletion_timestamp(*pod) && !machinery::has_deletion_timestamp(*old_pod) && ref)
    if (ObjectPtr job = resolve(machinery::namespace_of(*pod), ref))
      expectations_.deletion_observed(object_key(*job), machinery::uid_of(*pod));
  const auto* old_ref = machinery::controller_of(*old_pod);
  const bool ref_changed = (ref == nullptr) != (old_ref == nullptr) || (ref && *ref != *old_ref);
  if (ref_changed && old_ref)
    if (ObjectPtr job = resolve(machinery::namespace_of(*old_pod), old_ref)) queue_.add(object_key(*job));
  enqueue_for_pod(*pod);
}

void JobSyncer::pod_deleted(const ObjectPtr& pod) {
  {
    std::lock_guard lock(mutex_);
    removing_finalizer_.erase(machinery::uid_of(*pod));
  }
  ObjectPtr job = resolve(machinery::namespace_of(*pod), machinery::controller_of(*pod));
  if (!job) return;
  expectations_.deletion_observed(object_key(*job), machinery::uid_of(*pod));
  queue_.add(object_key(*job));
}

JobController::JobController(const controller::ControllerDeps& deps, unsigned workers)
    : jobs_(deps.informers->informer(machinery::kJobs)), pods_(deps.informers->informer(machinery::kPods)) {
  controller::LoopSettings settings;
  settings.name = "job";
  settings.workers = workers;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      settings, [this](const std::string& key) { return syncer_->sync(key); }, deps.log);
  controller::LoopSettings orphan_settings;
  orphan_settings.name = "job-orphan-pod";
  orphans_ = std::make_unique<controller::ReconcileLoop>(
      orphan_settings, [this](const std::string& key) { return syncer_->sync_orphan(key); }, deps.log);
  JobSyncerOptions options;
  options.client = deps.client;
  options.jobs = jobs_;
  options.pods = pods_;
  options.events = deps.events;
  options.log = deps.log;
  syncer_ = std::make_unique<JobSyncer>(
      std::move(options), JobQueue{[this](const std::string& key) { loop_->add(key); },
                                   [this](const std::string& key, std::chrono::milliseconds delay) {
                                     loop_->add_after(key, delay);
                                   },
                                   [this](const std::string& key) { orphans_->add(key); }});
}

JobController::~JobController() {
  stop();
}

void JobController::start() {
  if (!handlers_.empty()) return;
  handlers_.push_back(jobs_->add_handlers(syncer_->job_handlers()));
  handlers_.push_back(pods_->add_handlers(syncer_->pod_handlers()));
  loop_->start();
  orphans_->start();
}

void JobController::stop() {
  handlers_.clear();
  loop_->stop();
  orphans_->stop();
}

}  // namespace ukube::controllers::job
