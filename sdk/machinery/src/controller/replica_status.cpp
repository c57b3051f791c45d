#include "ukube/controller/replica_status.h"

#include <boost/json.hpp>

#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/pod.h"

namespace ukube::controller {
namespace json = boost::json;
namespace {

// Counts upstream marks omitempty: a zero is left out of the written status.
void set_count(json::object& status, std::string_view key, int64_t value, bool omit_zero = true) {
  if (value == 0 && omit_zero)
    status.erase(key);
  else
    status[key] = value;
}

const json::array& conditions_or_empty(const json::object& status) {
  static const json::array none;
  const auto* conditions = machinery::array_at(status, {"conditions"});
  return conditions ? *conditions : none;
}

}  // namespace

json::object replica_status(const json::object& owner, const std::vector<ObjectPtr>& pods,
                            const std::optional<std::string>& manage_error,
                            machinery::Clock::time_point now) {
  json::object status = machinery::object_or_empty(machinery::object_at(owner, {"status"}));
  // The template's labels, as a selector: a pod with all of them is fully labeled.
  const LabelSelector template_labels = machinery::selector_from_map(
      machinery::object_or_empty(machinery::object_at(owner, {"spec", "template", "metadata", "labels"})));
  const auto min_ready = static_cast<int32_t>(machinery::int_or(owner, {"spec", "minReadySeconds"}, 0));
  int64_t fully_labeled = 0, ready = 0, available = 0;
  for (const auto& pod : pods) {
    if (machinery::matches(template_labels, machinery::labels_of(*pod))) ++fully_labeled;
    if (machinery::is_pod_ready(*pod)) {
      ++ready;
      if (machinery::is_pod_available(*pod, min_ready, now)) ++available;
    }
  }

  const bool failing = machinery::find_condition(owner, kReplicaFailureCondition) != nullptr;
  if (manage_error && !failing) {
    const int64_t diff =
        static_cast<int64_t>(pods.size()) - machinery::int_or(owner, {"spec", "replicas"}, 1);
    std::string reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
    machinery::child_array(status, "conditions")
        .push_back(json::object{{"type", kReplicaFailureCondition},
                                {"status", "True"},
                                {"lastTransitionTime", machinery::format_time(now)},
                                {"reason", std::move(reason)},
                                {"message", *manage_error}});
  } else if (!manage_error && failing) {
    json::array kept;
    for (const auto& c : conditions_or_empty(status))
      if (!c.is_object() || machinery::string_at(c.get_object(), {"type"}) != kReplicaFailureCondition)
        kept.push_back(c);
    if (kept.empty())
      status.erase("conditions");
    else
      status["conditions"] = std::move(kept);
  }

  set_count(status, "replicas", static_cast<int64_t>(pods.size()), false);
  set_count(status, "fullyLabeledReplicas", fully_labeled);
  set_count(status, "readyReplicas", ready);
  set_count(status, "availableReplicas", available);
  return status;
}

bool replica_status_outdated(const json::object& owner, const json::object& status) {
  const json::object& current = machinery::object_or_empty(machinery::object_at(owner, {"status"}));
  for (const char* count : {"replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas"})
    if (machinery::int_or(current, {count}, 0) != machinery::int_or(status, {count}, 0)) return true;
  if (machinery::int_or(owner, {"metadata", "generation"}, 0) !=
      machinery::int_or(current, {"observedGeneration"}, 0))
    return true;
  return conditions_or_empty(current) != conditions_or_empty(status);
}

ObjectPtr update_replica_status(Client& client, const GroupVersionResource& resource, const ObjectPtr& owner,
                                json::object status) {
  if (!replica_status_outdated(*owner, status)) return owner;
  // The generation this status was computed for, even when a retry reads a newer one.
  set_count(status, "observedGeneration", machinery::int_or(*owner, {"metadata", "generation"}, 0));
  const std::string ns = machinery::namespace_of(*owner);
  json::object updated = *owner;
  for (int attempt = 0;; ++attempt) {
    updated["status"] = status;
    try {
      ObjectPtr written = client.update(resource, ns, updated, {}, "status");
      return written ? written : std::make_shared<const json::object>(std::move(updated));
    } catch (const std::exception&) {
      if (attempt >= 1) throw;
    }
    // The cached owner may be stale: read it afresh for the one retry.
    updated = *client.get(resource, ns, machinery::name_of(*owner));
  }
}

}  // namespace ukube::controller
