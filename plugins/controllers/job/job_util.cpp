#include "job_util.h"

#include <algorithm>
#include <charconv>
#include <tuple>

#include <boost/json.hpp>

#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"

namespace ukube::controllers::job {
namespace json = boost::json;
using machinery::int_at;
using machinery::string_at;

namespace {

bool condition_true(const json::object& job, std::string_view type) {
  const auto* conditions = machinery::array_at(job, {"status", "conditions"});
  return conditions && true_condition(*conditions, type) != nullptr;
}

std::optional<int64_t> parse_int(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The terminated state of a container status whose exit code is not 0, or null.
const json::object* failed_termination(const json::object& status) {
  const auto* terminated = machinery::object_at(status, {"state", "terminated"});
  if (!terminated || machinery::int_or(*terminated, {"exitCode"}, 0) == 0) return nullptr;
  return terminated;
}

bool exit_code_matches(int64_t code, const json::object& requirement) {
  const auto* values = machinery::array_at(requirement, {"values"});
  bool listed = false;
  if (values)
    for (const auto& v : *values)
      if (machinery::as_int(v) == code) listed = true;
  return string_at(requirement, {"operator"}) == "NotIn" ? !listed : listed;
}

// The first container (then init container) that failed with an exit code the rule names.
const json::object* matching_container(const json::object& pod, const json::object& requirement) {
  const std::string only = string_at(requirement, {"containerName"});
  for (const char* list : {"containerStatuses", "initContainerStatuses"}) {
    const auto* statuses = machinery::array_at(pod, {"status", list});
    if (!statuses) continue;
    for (const auto& s : *statuses) {
      const auto* status = s.if_object();
      if (!status) continue;
      if (!only.empty() && string_at(*status, {"name"}) != only) continue;
      const auto* terminated = failed_termination(*status);
      if (terminated && exit_code_matches(machinery::int_or(*terminated, {"exitCode"}, 0), requirement))
        return status;
    }
  }
  return nullptr;
}

const json::object* matching_pod_condition(const json::object& pod, const json::array& patterns) {
  const auto* conditions = machinery::array_at(pod, {"status", "conditions"});
  if (!conditions) return nullptr;
  for (const auto& c : *conditions) {
    const auto* condition = c.if_object();
    if (!condition) continue;
    for (const auto& p : patterns) {
      const auto& pattern = machinery::object_or_empty(p.if_object());
      if (string_at(*condition, {"type"}) == string_at(pattern, {"type"}) &&
          string_at(*condition, {"status"}) == string_at(pattern, {"status"}))
        return condition;
    }
  }
  return nullptr;
}

int pod_rank_phase(const json::object& pod) {
  const std::string phase = machinery::pod_phase(pod);
  if (phase == "Pending") return 0;
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 3;
}

int64_t restarts(const json::object& pod) {
  int64_t total = 0;
  machinery::for_each_object(
      machinery::array_at(pod, {"status", "containerStatuses"}),
      [&](const json::object& s, size_t) { total += machinery::int_or(s, {"restartCount"}, 0); });
  return total;
}

}  // namespace

bool is_job_finished(const json::object& job) {
  return condition_true(job, kComplete) || condition_true(job, kFailed);
}

bool job_suspended(const json::object& job) {
  return machinery::bool_at(job, {"spec", "suspend"}).value_or(false);
}

bool is_indexed(const json::object& job) {
  return string_at(job, {"spec", "completionMode"}) == "Indexed";
}

std::optional<int64_t> completions_of(const json::object& job) {
  return int_at(job, {"spec", "completions"});
}

bool only_replace_failed_pods(const json::object& job) {
  return string_at(job, {"spec", "podReplacementPolicy"}) == "Failed" ||
         machinery::object_at(job, {"spec", "podFailurePolicy"}) != nullptr;
}

bool has_tracking_finalizer(const json::object& pod) {
  for (const auto& f : machinery::strings_at(pod, {"metadata", "finalizers"}))
    if (f == kTrackingFinalizer) return true;
  return false;
}

int64_t completion_index(const json::object& pod) {
  const auto* value = machinery::value_at(pod, {"metadata", "annotations", kCompletionIndexKey});
  if (!value || !value->is_string()) return -1;
  auto index = parse_int(value->get_string());
  return index && *index >= 0 ? *index : -1;
}

bool is_pod_failed(const json::object& pod, const json::object& job) {
  const std::string phase = machinery::pod_phase(pod);
  if (phase == "Failed") return true;
  // With a pod failure policy a pod counts once the kubelet says how it failed.
  if (only_replace_failed_pods(job)) return false;
  return machinery::has_deletion_timestamp(pod) && phase != "Succeeded";
}

machinery::Clock::time_point pod_finish_time(const json::object& pod, machinery::Clock::time_point fallback) {
  std::optional<machinery::Clock::time_point> latest;
  machinery::for_each_object(
      machinery::array_at(pod, {"status", "containerStatuses"}), [&](const json::object& s, size_t) {
        auto t = machinery::parse_time(string_at(s, {"state", "terminated", "finishedAt"}));
        if (t && (!latest || *t > *latest)) latest = t;
      });
  return latest.value_or(fallback);
}

FailurePolicyMatch match_pod_failure_policy(const json::object* policy, const json::object& pod) {
  FailurePolicyMatch out;
  if (!policy) return out;
  const auto* rules = machinery::array_at(*policy, {"rules"});
  if (!rules) return out;
  for (size_t index = 0; index < rules->size(); ++index) {
    const auto& rule = machinery::object_or_empty((*rules)[index].if_object());
    const std::string action = string_at(rule, {"action"});
    std::string fail_message;
    if (const auto* exit_codes = machinery::object_at(rule, {"onExitCodes"})) {
      const auto* container = matching_container(pod, *exit_codes);
      if (!container) continue;
      fail_message = "Container " + string_at(*container, {"name"}) + " for pod " +
                     machinery::namespace_of(pod) + "/" + machinery::name_of(pod) +
                     " failed with exit code " +
                     std::to_string(machinery::int_or(*container, {"state", "terminated", "exitCode"}, 0)) +
                     " matching " + action + " rule at index " + std::to_string(index);
    } else if (const auto* patterns = machinery::array_at(rule, {"onPodConditions"})) {
      const auto* condition = matching_pod_condition(pod, *patterns);
      if (!condition) continue;
      fail_message = "Pod " + machinery::namespace_of(pod) + "/" + machinery::name_of(pod) +
                     " has condition " + string_at(*condition, {"type"}) + " matching " + action +
                     " rule at index " + std::to_string(index);
    } else {
      continue;
    }
    if (action == "Ignore") return {std::nullopt, false, action};
    if (action == "Count") return {std::nullopt, true, action};
    if (action == "FailJob") return {fail_message, true, action};
    // FailIndex belongs to backoffLimitPerIndex, which this controller does not run:
    // the failure counts as any other.
    return {std::nullopt, true, action};
  }
  return out;
}

bool past_backoff_limit_on_failure(const json::object& job, const std::vector<ObjectPtr>& pods) {
  if (string_at(job, {"spec", "template", "spec", "restartPolicy"}) != "OnFailure") return false;
  int64_t total = 0;
  for (const auto& pod : pods) {
    const std::string phase = machinery::pod_phase(*pod);
    if (phase != "Running" && phase != "Pending") continue;
    for (const char* list : {"initContainerStatuses", "containerStatuses"})
      machinery::for_each_object(
          machinery::array_at(*pod, {"status", list}),
          [&](const json::object& s, size_t) { total += machinery::int_or(s, {"restartCount"}, 0); });
  }
  const int64_t limit = machinery::int_or(job, {"spec", "backoffLimit"}, 6);
  return limit == 0 ? total > 0 : total >= limit;
}

std::chrono::milliseconds backoff_remaining(int64_t failures, machinery::Clock::time_point last_failure,
                                            machinery::Clock::time_point now) {
  if (failures <= 0) return std::chrono::milliseconds(0);
  std::chrono::milliseconds backoff = kDefaultBackoff;
  for (int64_t i = 1; i < failures && backoff < kMaxBackoff; ++i) backoff *= 2;
  backoff = std::min<std::chrono::milliseconds>(backoff, kMaxBackoff);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_failure);
  if (backoff < elapsed) return std::chrono::milliseconds(0);
  return backoff - elapsed;
}

OrderedIntervals OrderedIntervals::merged(std::vector<Interval> all) {
  std::sort(all.begin(), all.end(), [](const Interval& a, const Interval& b) { return a.first < b.first; });
  OrderedIntervals out;
  for (const auto& interval : all) {
    if (!out.intervals_.empty() && out.intervals_.back().last + 1 >= interval.first)
      out.intervals_.back().last = std::max(out.intervals_.back().last, interval.last);
    else
      out.intervals_.push_back(interval);
  }
  return out;
}

OrderedIntervals OrderedIntervals::parse(std::string_view text, int64_t completions) {
  std::vector<Interval> all;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const size_t dash = part.find('-');
    auto first = parse_int(part.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : parse_int(part.substr(dash + 1));
    if (!first || !last || *first < 0 || *last < *first || *first >= completions) continue;
    all.push_back({*first, std::min(*last, completions - 1)});
  }
  return merged(std::move(all));
}

OrderedIntervals OrderedIntervals::with(const std::vector<int64_t>& indexes) const {
  std::vector<Interval> all = intervals_;
  for (int64_t ix : indexes) all.push_back({ix, ix});
  return merged(std::move(all));
}

bool OrderedIntervals::has(int64_t index) const {
  for (const auto& interval : intervals_)
    if (interval.first <= index && index <= interval.last) return true;
  return false;
}

int64_t OrderedIntervals::total() const {
  int64_t n = 0;
  for (const auto& interval : intervals_) n += interval.last - interval.first + 1;
  return n;
}

std::string OrderedIntervals::to_string() const {
  std::string out;
  for (const auto& interval : intervals_) {
    if (!out.empty()) out += ',';
    out += std::to_string(interval.first);
    if (interval.last > interval.first) out += '-' + std::to_string(interval.last);
  }
  return out;
}

std::vector<int64_t> first_pending_indexes(const OrderedIntervals& taken, int64_t count,
                                           int64_t completions) {
  std::vector<int64_t> out;
  int64_t candidate = 0;
  for (const auto& interval : taken.intervals()) {
    for (; candidate < completions && static_cast<int64_t>(out.size()) < count && candidate < interval.first;
         ++candidate)
      out.push_back(candidate);
    candidate = std::max(candidate, interval.last + 1);
  }
  for (; candidate < completions && static_cast<int64_t>(out.size()) < count; ++candidate)
    out.push_back(candidate);
  return out;
}

json::object new_condition(const std::string& type, const std::string& status, const std::string& reason,
                           const std::string& message, machinery::Clock::time_point now) {
  const std::string t = machinery::format_time(now);
  json::object c{{"type", type}, {"status", status}, {"lastProbeTime", t}, {"lastTransitionTime", t}};
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

const json::object* true_condition(const json::array& conditions, std::string_view type) {
  for (const auto& c : conditions)
    if (const auto* o = c.if_object();
        o && string_at(*o, {"type"}) == type && string_at(*o, {"status"}) == "True")
      return o;
  return nullptr;
}

bool ensure_condition(json::array& conditions, const std::string& type, const std::string& status,
                      const std::string& reason, const std::string& message,
                      machinery::Clock::time_point now) {
  for (auto& c : conditions) {
    auto* o = c.if_object();
    if (!o || string_at(*o, {"type"}) != type) continue;
    if (string_at(*o, {"status"}) == status && string_at(*o, {"reason"}) == reason &&
        string_at(*o, {"message"}) == message)
      return false;
    *o = new_condition(type, status, reason, message, now);
    return true;
  }
  if (status == "False") return false;
  conditions.push_back(new_condition(type, status, reason, message, now));
  return true;
}

void sort_for_removal(std::vector<ObjectPtr>& pods) {
  auto key = [](const ObjectPtr& p) {
    const bool scheduled = !string_at(*p, {"spec", "nodeName"}).empty();
    return std::tuple{scheduled, pod_rank_phase(*p), machinery::is_pod_ready(*p), -restarts(*p)};
  };
  std::stable_sort(pods.begin(), pods.end(), [&](const ObjectPtr& a, const ObjectPtr& b) {
    auto ka = key(a), kb = key(b);
    if (ka != kb) return ka < kb;
    // Newer pods first: they have done less work.
    return machinery::meta_string(*a, "creationTimestamp") > machinery::meta_string(*b, "creationTimestamp");
  });
}

}  // namespace ukube::controllers::job
