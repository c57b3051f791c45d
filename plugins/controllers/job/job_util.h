#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "ukube/client.h"
#include "ukube/machinery/time.h"

// The pure rules of upstream's Job controller (pkg/controller/job): what counts as a
// finished job or a failed pod, completion indexes, the pod failure policy, the pod
// creation back-off and the job's conditions. No I/O here, so each rule is tested alone.
namespace ukube::controllers::job {

// Names upstream's batch/v1 API defines.
inline constexpr const char* kTrackingFinalizer = "batch.kubernetes.io/job-tracking";
inline constexpr const char* kCompletionIndexKey = "batch.kubernetes.io/job-completion-index";
inline constexpr const char* kCompletionIndexEnv = "JOB_COMPLETION_INDEX";
inline constexpr const char* kControllerName = "kubernetes.io/job-controller";  // spec.managedBy

// Upstream's condition types and reasons.
inline constexpr const char* kComplete = "Complete";
inline constexpr const char* kFailed = "Failed";
inline constexpr const char* kFailureTarget = "FailureTarget";
inline constexpr const char* kSuccessCriteriaMet = "SuccessCriteriaMet";
inline constexpr const char* kSuspended = "Suspended";
inline constexpr const char* kReasonBackoffLimitExceeded = "BackoffLimitExceeded";
inline constexpr const char* kReasonDeadlineExceeded = "DeadlineExceeded";
inline constexpr const char* kReasonPodFailurePolicy = "PodFailurePolicy";
inline constexpr const char* kReasonCompletionsReached = "CompletionsReached";

// Upstream's MaxPodCreateDeletePerSync, DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff.
inline constexpr int64_t kMaxPodCreateDeletePerSync = 500;
inline constexpr std::chrono::seconds kDefaultBackoff{10};
inline constexpr std::chrono::seconds kMaxBackoff{360};

bool is_job_finished(const boost::json::object& job);
bool job_suspended(const boost::json::object& job);
bool is_indexed(const boost::json::object& job);
// spec.completions; nullopt for a job that completes on its first success.
std::optional<int64_t> completions_of(const boost::json::object& job);
// Replaces only failed pods (podReplacementPolicy Failed, implied by a podFailurePolicy):
// terminating pods then still occupy their slot.
bool only_replace_failed_pods(const boost::json::object& job);

bool has_tracking_finalizer(const boost::json::object& pod);
// The pod's completion index from its annotation; -1 when missing or not a number.
int64_t completion_index(const boost::json::object& pod);
// Upstream's isPodFailed: Failed, or (unless only failed pods are replaced) deleted before
// it succeeded, so an orphaned pod that never reaches a phase still counts.
bool is_pod_failed(const boost::json::object& pod, const boost::json::object& job);
// When a pod stopped: its containers' latest finishedAt, else `fallback`.
machinery::Clock::time_point pod_finish_time(const boost::json::object& pod,
                                             machinery::Clock::time_point fallback);

// The outcome of spec.podFailurePolicy for a failed pod (upstream's matchPodFailurePolicy).
struct FailurePolicyMatch {
  std::optional<std::string> fail_job_message;  // set when a FailJob rule matched
  bool count_failed = true;                     // false when an Ignore rule matched
  std::string action;                           // the matching rule's action; "" for none
};
FailurePolicyMatch match_pod_failure_policy(const boost::json::object* policy,
                                            const boost::json::object& pod);

// Restarts of the running and pending pods' containers reach spec.backoffLimit, for
// restartPolicy OnFailure where failed containers restart instead of failing the pod.
bool past_backoff_limit_on_failure(const boost::json::object& job, const std::vector<ObjectPtr>& pods);

// The wait before the next pod may be created after `failures` failures in a row, the
// last at `last_failure`: 10s doubling per failure up to 6 minutes, minus the time since.
std::chrono::milliseconds backoff_remaining(int64_t failures, machinery::Clock::time_point last_failure,
                                            machinery::Clock::time_point now);

// status.completedIndexes as sorted, disjoint intervals ("1,3-5").
class OrderedIntervals {
 public:
  struct Interval {
    int64_t first = 0, last = 0;
  };
  // Parses `text`, dropping indexes >= completions and anything malformed.
  static OrderedIntervals parse(std::string_view text, int64_t completions);
  // These intervals plus `indexes` (in any order, may repeat).
  OrderedIntervals with(const std::vector<int64_t>& indexes) const;
  bool has(int64_t index) const;
  int64_t total() const;
  std::string to_string() const;
  const std::vector<Interval>& intervals() const { return intervals_; }

 private:
  static OrderedIntervals merged(std::vector<Interval> all);
  std::vector<Interval> intervals_;
};

// The first `count` indexes below `completions` that are in none of `taken`.
std::vector<int64_t> first_pending_indexes(const OrderedIntervals& taken, int64_t count, int64_t completions);

// A JobCondition as upstream's newCondition writes it.
boost::json::object new_condition(const std::string& type, const std::string& status,
                                  const std::string& reason, const std::string& message,
                                  machinery::Clock::time_point now);
// The condition of `type` in `conditions` with status True, or null.
const boost::json::object* true_condition(const boost::json::array& conditions, std::string_view type);
// Upstream's ensureJobConditionStatus: replaces the condition of that type when status,
// reason or message differ, adds it when missing unless its status is False. Returns
// whether `conditions` changed.
bool ensure_condition(boost::json::array& conditions, const std::string& type, const std::string& status,
                      const std::string& reason, const std::string& message,
                      machinery::Clock::time_point now);

// Orders active pods so that the cheapest to lose come first (upstream's ActivePods):
// unscheduled before scheduled, pending before running, not ready before ready, more
// restarts first, newer first.
void sort_for_removal(std::vector<ObjectPtr>& pods);

}  // namespace ukube::controllers::job
