#include "node_health.h"

#include <boost/json.hpp>

#include "ukube/machinery/json.h"
#include "ukube/machinery/taints.h"
#include "ukube/machinery/time.h"

namespace ukube::controllers::nodelifecycle {
namespace {

namespace json = boost::json;
using machinery::string_at;

bool is_lifecycle_taint(const json::object& taint) {
  const std::string key = string_at(taint, {"key"});
  const std::string effect = string_at(taint, {"effect"});
  return (key == kUnreachableTaint || key == kNotReadyTaint) &&
         (effect == "NoExecute" || effect == "NoSchedule");
}

}  // namespace

std::string ready_status(const json::object& node) {
  std::string status;
  machinery::for_each_object(machinery::array_at(node, {"status", "conditions"}),
                             [&](const json::object& c, size_t) {
                               if (string_at(c, {"type"}) == "Ready") status = string_at(c, {"status"});
                             });
  return status;
}

json::array silent_kubelet_conditions(const json::array* conditions, const std::string& now) {
  json::array out;
  bool ready = false;
  if (conditions)
    for (const auto& item : *conditions) {
      if (!item.is_object()) continue;
      json::object c = item.as_object();
      ready = ready || string_at(c, {"type"}) == "Ready";
      if (string_at(c, {"status"}) != "Unknown") {
        c["status"] = "Unknown";
        c["reason"] = "NodeStatusUnknown";
        c["message"] = "Kubelet stopped posting node status.";
        c["lastTransitionTime"] = now;
      }
      out.push_back(std::move(c));
    }
  if (!ready)
    out.push_back(json::object{{"type", "Ready"},
                               {"status", "Unknown"},
                               {"reason", "NodeStatusNeverUpdated"},
                               {"message", "Kubelet never posted node status."},
                               {"lastHeartbeatTime", now},
                               {"lastTransitionTime", now}});
  return out;
}

std::optional<json::array> taints_for(const json::array* taints, const std::string& ready,
                                      const std::string& now) {
  const char* wanted = ready == "Unknown" ? kUnreachableTaint : ready == "False" ? kNotReadyTaint : nullptr;
  json::array out;
  bool changed = false;
  bool have_no_execute = false, have_no_schedule = false;
  if (taints)
    for (const auto& item : *taints) {
      if (!item.is_object()) continue;
      const json::object& t = item.as_object();
      if (is_lifecycle_taint(t)) {
        if (!wanted || string_at(t, {"key"}) != wanted) {
          changed = true;  // the other one, or none is called for
          continue;
        }
        (string_at(t, {"effect"}) == "NoExecute" ? have_no_execute : have_no_schedule) = true;
      }
      out.push_back(t);
    }
  if (wanted && !have_no_schedule) {
    out.push_back(json::object{{"key", wanted}, {"effect", "NoSchedule"}});
    changed = true;
  }
  if (wanted && !have_no_execute) {
    out.push_back(json::object{{"key", wanted}, {"effect", "NoExecute"}, {"timeAdded", now}});
    changed = true;
  }
  if (!changed) return std::nullopt;
  return out;
}

std::optional<Clock::time_point> eviction_time(const json::array* tolerations, const json::array* taints,
                                               Clock::time_point now) {
  if (!taints) return std::nullopt;
  const std::vector<Toleration> parsed = machinery::parse_tolerations(tolerations);
  std::optional<Clock::time_point> at;
  for (const auto& item : *taints) {
    if (!item.is_object() || string_at(item.as_object(), {"effect"}) != "NoExecute") continue;
    const json::object& taint_json = item.as_object();
    const Taint taint = machinery::parse_taint(taint_json);
    bool tolerated = false;
    std::optional<int64_t> seconds;  // the smallest limit among the matching tolerations
    for (size_t i = 0; i < parsed.size(); ++i) {
      if (!machinery::tolerates(parsed[i], taint)) continue;
      tolerated = true;
      const auto& raw = (*tolerations)[i].as_object();
      if (const auto* limit = raw.if_contains("tolerationSeconds"); limit && limit->is_int64()) {
        const int64_t s = std::max<int64_t>(0, limit->as_int64());
        seconds = seconds ? std::min(*seconds, s) : s;
      }
    }
    if (!tolerated) return now;
    if (!seconds) continue;  // tolerated for ever
    const auto added = machinery::parse_time(string_at(taint_json, {"timeAdded"})).value_or(now);
    const auto due = added + std::chrono::seconds(*seconds);
    at = at ? std::min(*at, due) : due;
  }
  return at;
}

}  // namespace ukube::controllers::nodelifecycle
