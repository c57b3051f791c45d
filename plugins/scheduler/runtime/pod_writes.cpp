#include "runtime/pod_writes.h"

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

#include "ukube/errors.h"

namespace ukube::scheduler {
namespace json = boost::json;
namespace {

const GroupVersionResource kPods{"", "v1", "pods"};
const GroupVersionResource kEvents{"", "v1", "events"};

const json::array* conditions_of(const PodInfo& pod) {
  if (!pod.object) return nullptr;
  const auto* status = pod.object->if_contains("status");
  if (!status || !status->is_object()) return nullptr;
  const auto* c = status->get_object().if_contains("conditions");
  return c && c->is_array() ? &c->get_array() : nullptr;
}

const json::object* pod_scheduled(const PodInfo& pod) {
  if (const auto* cs = conditions_of(pod))
    for (const auto& c : *cs)
      if (c.is_object() && c.get_object().contains("type") && c.get_object().at("type") == "PodScheduled")
        return &c.get_object();
  return nullptr;
}

std::string str(const json::object* o, const char* key) {
  const auto* v = o ? o->if_contains(key) : nullptr;
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The pod's conditions with PodScheduled replaced by `condition`.
json::array with_condition(const PodInfo& pod, json::object condition) {
  json::array out;
  if (const auto* cs = conditions_of(pod))
    for (const auto& c : *cs)
      if (!(c.is_object() && c.get_object().contains("type") && c.get_object().at("type") == "PodScheduled"))
        out.push_back(c);
  out.push_back(std::move(condition));
  return out;
}

}  // namespace

std::string now_rfc3339(bool micro) {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  if (micro) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(us));
  } else {
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  }
  return buf;
}

bool has_pod_scheduled_false(const PodInfo& pod) {
  return str(pod_scheduled(pod), "status") == "False";
}

bool write_unschedulable_status(Client& client, const PodInfo& pod, const FailureWrite& failure) {
  const json::object* current = pod_scheduled(pod);
  const bool same = current && str(current, "status") == "False" &&
                    str(current, "reason") == failure.reason && str(current, "message") == failure.message;
  std::string nominated;
  if (pod.object)
    if (const auto* st = pod.object->if_contains("status"); st && st->is_object())
      nominated = str(&st->get_object(), "nominatedNodeName");
  const bool nominate = !failure.nominated_node.empty() && failure.nominated_node != nominated;
  const bool clear = failure.clear_nominated && !nominated.empty();
  if (same && !nominate && !clear) return true;

  json::object status;
  if (!same) {
    json::object condition{{"type", "PodScheduled"},
                           {"status", "False"},
                           {"lastProbeTime", nullptr},
                           {"lastTransitionTime", current && str(current, "status") == "False"
                                                      ? json::value(str(current, "lastTransitionTime"))
                                                      : json::value(now_rfc3339())},
                           {"reason", failure.reason},
                           {"message", failure.message}};
    status["conditions"] = with_condition(pod, std::move(condition));
  }
  if (nominate) status["nominatedNodeName"] = failure.nominated_node;
  if (clear) status["nominatedNodeName"] = nullptr;
  try {
    client.patch(kPods, pod.ns, pod.name, PatchType::JsonMerge,
                 json::serialize(json::object{{"status", std::move(status)}}), {}, "status");
  } catch (const ApiError& e) {
    if (is_not_found(e)) return false;
    throw;
  }
  return true;
}

void write_scheduled_status(Client& client, const PodInfo& pod) {
  json::object condition{{"type", "PodScheduled"},
                         {"status", "True"},
                         {"lastProbeTime", nullptr},
                         {"lastTransitionTime", now_rfc3339()}};
  json::object status{{"conditions", with_condition(pod, std::move(condition))}};
  try {
    client.patch(kPods, pod.ns, pod.name, PatchType::JsonMerge,
                 json::serialize(json::object{{"status", std::move(status)}}), {}, "status");
  } catch (const ApiError& e) {
    if (!is_not_found(e)) throw;
  }
}

void write_pod_event(Client& client, const PodInfo& pod, const std::string& component,
                     const std::string& type, const std::string& reason, const std::string& message) {
  // Unique names without a round trip: pod name plus a random hex suffix, as upstream's
  // recorder does with a timestamp.
  static std::atomic<uint64_t> counter{std::random_device{}()};
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".%016llx",
                static_cast<unsigned long long>(counter.fetch_add(0x9e3779b97f4a7c15ULL)));
  const std::string now = now_rfc3339();
  json::object event{{"apiVersion", "v1"},
                     {"kind", "Event"},
                     {"metadata", {{"name", pod.name + suffix}, {"namespace", pod.ns}}},
                     {"involvedObject",
                      {{"apiVersion", "v1"},
                       {"kind", "Pod"},
                       {"namespace", pod.ns},
                       {"name", pod.name},
                       {"uid", pod.uid},
                       {"resourceVersion", pod.resource_version}}},
                     {"reason", reason},
                     {"message", message},
                     {"type", type},
                     {"source", {{"component", component}}},
                     {"reportingComponent", component},
                     {"reportingInstance", component},
                     {"firstTimestamp", now},
                     {"lastTimestamp", now},
                     {"count", 1}};
  try {
    client.create(kEvents, pod.ns, event);
  } catch (const ApiError&) {
    // Events are best effort, as upstream's recorder treats them.
  }
}

}  // namespace ukube::scheduler
