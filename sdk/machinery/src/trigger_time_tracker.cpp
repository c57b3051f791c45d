#include "ukube/machinery/trigger_time_tracker.h"

#include <cstdio>

#include <boost/json/object.hpp>

#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"

namespace ukube::machinery {
namespace json = boost::json;

namespace {

std::optional<Clock::time_point> trigger_time_at(const json::object& object, JsonPath path) {
  std::string text = string_at(object, path);
  if (text.empty()) return std::nullopt;
  return parse_time(text);
}

// A pod's trigger: when its Ready condition last changed.
std::optional<Clock::time_point> pod_trigger_time(const json::object& pod) {
  const json::object* ready = find_condition(pod, "Ready");
  if (!ready) return std::nullopt;
  return trigger_time_at(*ready, {"lastTransitionTime"});
}

void keep_earliest(std::optional<Clock::time_point>& earliest, Clock::time_point t) {
  if (!earliest || t < *earliest) earliest = t;
}

}  // namespace

std::optional<Clock::time_point> TriggerTimeTracker::compute(const json::object& service,
                                                             const std::vector<ObjectPtr>& pods) {
  const std::string key = namespace_of(service) + "/" + name_of(service);
  State previous;
  bool known = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = states_.find(key); it != states_.end()) {
      previous = it->second;
      known = true;
    }
  }
  State now;
  std::optional<Clock::time_point> earliest_change;
  for (const auto& pod : pods) {
    if (!pod) continue;
    auto t = pod_trigger_time(*pod);
    if (!t) continue;
    const std::string name = name_of(*pod);
    now.pod_times[name] = *t;
    auto before = previous.pod_times.find(name);
    if (before == previous.pod_times.end() || *t > before->second) keep_earliest(earliest_change, *t);
  }
  now.service_time = trigger_time_at(service, {"metadata", "creationTimestamp"});
  if (now.service_time && (!previous.service_time || *now.service_time > *previous.service_time))
    keep_earliest(earliest_change, *now.service_time);
  {
    std::lock_guard lock(mutex_);
    states_[key] = std::move(now);
  }
  if (!known) return trigger_time_at(service, {"metadata", "creationTimestamp"});
  return earliest_change;
}

void TriggerTimeTracker::forget(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mutex_);
  states_.erase(ns + "/" + name);
}

std::string format_rfc3339_nano(Clock::time_point t) {
  std::string whole = format_time(t);
  auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count() % 1000000000;
  if (nanos < 0) nanos += 1000000000;
  if (nanos == 0) return whole;
  char digits[16];
  std::snprintf(digits, sizeof digits, ".%09lld", static_cast<long long>(nanos));
  std::string fraction(digits);
  while (fraction.back() == '0') fraction.pop_back();
  whole.insert(whole.size() - 1, fraction);
  return whole;
}

}  // namespace ukube::machinery
