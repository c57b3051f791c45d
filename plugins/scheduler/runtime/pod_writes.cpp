#include "runtime/pod_writes.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/time.h"

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <string_view>

#include "model/resources.h"
#include "ukube/errors.h"

namespace ukube::scheduler {
using namespace resources;
namespace json = boost::json;
namespace {

const json::object* condition_of(const PodInfo& pod, std::string_view type) {
  return pod.object ? machinery::find_condition(*pod.object, type) : nullptr;
}

const json::object* pod_scheduled(const PodInfo& pod) {
  return condition_of(pod, "PodScheduled");
}

std::string str(const json::object* o, const char* key) {
  const auto* v = o ? o->if_contains(key) : nullptr;
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The pod's conditions with `condition` set as upstream sets one.
json::array with_condition(const PodInfo& pod, json::object condition) {
  static const json::object kNoPod;
  return machinery::with_condition(pod.object ? *pod.object : kNoPod, std::move(condition),
                                   machinery::now_rfc3339());
}

// Merge-patches the pod's status; false when the pod is gone.
bool patch_status(Client& client, const PodInfo& pod, json::object status) {
  try {
    client.patch(kPods, pod.ns, pod.name, PatchType::JsonMerge,
                 json::serialize(json::object{{"status", std::move(status)}}), fire_and_forget(), "status");
  } catch (const ApiError& e) {
    if (is_not_found(e)) return false;
    throw;
  }
  return true;
}

}  // namespace

WriteOptions fire_and_forget() {
  WriteOptions options;
  options.return_object = false;
  return options;
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
                           {"reason", failure.reason},
                           {"message", failure.message}};
    status["conditions"] = with_condition(pod, std::move(condition));
  }
  if (nominate) status["nominatedNodeName"] = failure.nominated_node;
  if (clear) status["nominatedNodeName"] = nullptr;
  return patch_status(client, pod, std::move(status));
}

void write_scheduled_status(Client& client, const PodInfo& pod) {
  json::object condition{{"type", "PodScheduled"}, {"status", "True"}, {"lastProbeTime", nullptr}};
  patch_status(client, pod, {{"conditions", with_condition(pod, std::move(condition))}});
}

bool write_disruption_target(Client& client, const PodInfo& victim, const std::string& message) {
  const json::object* current = condition_of(victim, "DisruptionTarget");
  const bool was_true = current && str(current, "status") == "True";
  if (was_true && str(current, "reason") == "PreemptionByScheduler" && str(current, "message") == message)
    return true;
  json::object condition{{"type", "DisruptionTarget"},
                         {"status", "True"},
                         {"lastProbeTime", nullptr},
                         {"reason", "PreemptionByScheduler"},
                         {"message", message}};
  return patch_status(client, victim, {{"conditions", with_condition(victim, std::move(condition))}});
}

bool clear_nominated_node(Client& client, const PodInfo& pod) {
  // Unconditional: the cached pod may predate the write that nominated it.
  return patch_status(client, pod, {{"nominatedNodeName", nullptr}});
}

void write_pod_event(Client& client, const PodInfo& pod, const std::string& component,
                     const std::string& type, const std::string& reason, const std::string& message) {
  // Unique names without a round trip: pod name plus a random hex suffix, as upstream's
  // recorder does with a timestamp.
  static std::atomic<uint64_t> counter{std::random_device{}()};
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".%016llx",
                static_cast<unsigned long long>(counter.fetch_add(0x9e3779b97f4a7c15ULL)));
  const std::string now = machinery::now_rfc3339();
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
    WriteOptions options = fire_and_forget();
    options.wait_for_commit = false;  // best effort: the writer moves on to the next binding
    client.create(kEvents, pod.ns, event, options);
  } catch (const ApiError&) {
    // Events are best effort, as upstream's recorder treats them.
  }
}

}  // namespace ukube::scheduler
