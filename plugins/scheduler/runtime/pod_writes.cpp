#include "runtime/pod_writes.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/time.h"

#include <boost/json.hpp>
#include <chrono>
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
  const json::object* condition = pod_scheduled(pod);
  return condition && machinery::string_at(*condition, {"status"}) == "False";
}

bool write_unschedulable_status(Client& client, const PodInfo& pod, const FailureWrite& failure) {
  const json::object* current = pod_scheduled(pod);
  const bool same = current && machinery::string_at(*current, {"status"}) == "False" &&
                    machinery::string_at(*current, {"reason"}) == failure.reason &&
                    machinery::string_at(*current, {"message"}) == failure.message;
  const std::string nominated =
      pod.object ? machinery::string_at(*pod.object, {"status", "nominatedNodeName"}) : std::string();
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
  const bool was_true = current && machinery::string_at(*current, {"status"}) == "True";
  if (was_true && machinery::string_at(*current, {"reason"}) == "PreemptionByScheduler" &&
      machinery::string_at(*current, {"message"}) == message)
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

void write_pod_event(controller::EventRecorder& events, const PodInfo& pod, const std::string& component,
                     const std::string& type, const std::string& reason, const std::string& message) {
  controller::ObjectReference involved{"Pod", pod.ns, pod.name, pod.uid, "v1", pod.resource_version, ""};
  events.event({component, ""}, involved, type, reason, message);
}

}  // namespace ukube::scheduler
