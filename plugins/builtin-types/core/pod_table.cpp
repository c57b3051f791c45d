#include "core/pod_table.h"

#include <map>

#include <boost/json.hpp>

#include "common/json.h"
#include "common/table.h"

namespace ukube::builtin {
namespace {

struct Restarts {
  int64_t count = 0;
  std::optional<Clock::time_point> last;  // most recent termination of a restarted container

  void add(const json::object& status) {
    count += int_or(status, {"restartCount"}, 0);
    auto finished = parse_time(string_at(status, {"lastState", "terminated", "finishedAt"}));
    if (finished && (!last || *finished > *last)) last = finished;
  }
};

bool has_condition(const json::object& pod, std::string_view type, std::string_view status) {
  bool found = false;
  for_each_object(array_at(pod, {"status", "conditions"}), [&](const json::object& c, size_t) {
    if (string_at(c, {"type"}) == type && string_at(c, {"status"}) == status) found = true;
  });
  return found;
}

// Terminated reason, or Signal:N / ExitCode:N when the runtime gave none.
std::string terminated_reason(const json::object& terminated, std::string_view prefix) {
  std::string reason = string_at(terminated, {"reason"});
  if (!reason.empty()) return std::string(prefix) + reason;
  int64_t signal = int_or(terminated, {"signal"}, 0);
  if (signal != 0) return std::string(prefix) + "Signal:" + std::to_string(signal);
  return std::string(prefix) + "ExitCode:" + std::to_string(int_or(terminated, {"exitCode"}, 0));
}

}  // namespace

json::array pod_row(const json::object& pod, Clock::time_point now) {
  const json::object* spec = object_at(pod, {"spec"});
  const json::object empty;
  if (!spec) spec = &empty;

  std::map<std::string, bool> sidecar;  // init containers that keep running (restartPolicy Always)
  int64_t total =
      array_at(*spec, {"containers"}) ? static_cast<int64_t>(array_at(*spec, {"containers"})->size()) : 0;
  const auto* init_specs = array_at(*spec, {"initContainers"});
  for_each_object(init_specs, [&](const json::object& c, size_t) {
    bool always = string_at(c, {"restartPolicy"}) == "Always";
    sidecar[string_at(c, {"name"})] = always;
    if (always) ++total;
  });
  const size_t init_count = init_specs ? init_specs->size() : 0;

  std::string phase = string_at(pod, {"status", "phase"});
  std::string reason = string_at(pod, {"status", "reason"}, phase);
  if (has_condition(pod, "PodScheduled", "False")) {
    for_each_object(array_at(pod, {"status", "conditions"}), [&](const json::object& c, size_t) {
      if (string_at(c, {"type"}) == "PodScheduled" && string_at(c, {"reason"}) == "SchedulingGated")
        reason = "SchedulingGated";
    });
  }

  int64_t ready = 0;
  Restarts all, sidecars;
  bool initializing = false;
  const auto* init_statuses = array_at(pod, {"status", "initContainerStatuses"});
  if (init_statuses) {
    for (size_t i = 0; i < init_statuses->size(); ++i) {
      const auto* s = (*init_statuses)[i].if_object();
      if (!s) continue;
      all.add(*s);
      bool is_sidecar = sidecar[string_at(*s, {"name"})];
      if (is_sidecar) sidecars.add(*s);
      const auto* terminated = object_at(*s, {"state", "terminated"});
      const auto* waiting = object_at(*s, {"state", "waiting"});
      if (terminated && int_or(*terminated, {"exitCode"}, 0) == 0) continue;  // finished fine
      if (is_sidecar && bool_at(*s, {"started"}).value_or(false)) {
        if (bool_at(*s, {"ready"}).value_or(false)) ++ready;
        continue;
      }
      if (terminated) {
        reason = terminated_reason(*terminated, "Init:");
      } else if (waiting && !string_at(*waiting, {"reason"}).empty() &&
                 string_at(*waiting, {"reason"}) != "PodInitializing") {
        reason = "Init:" + string_at(*waiting, {"reason"});
      } else {
        reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_count);
      }
      initializing = true;
      break;
    }
  }

  Restarts restarts = all;
  if (!initializing || has_condition(pod, "Initialized", "True")) {
    restarts = sidecars;
    bool running = false;
    const auto* statuses = array_at(pod, {"status", "containerStatuses"});
    // Walk backwards so the first container's state wins, as upstream does.
    for (size_t n = statuses ? statuses->size() : 0; n-- > 0;) {
      const auto* s = (*statuses)[n].if_object();
      if (!s) continue;
      restarts.add(*s);
      const auto* waiting = object_at(*s, {"state", "waiting"});
      const auto* terminated = object_at(*s, {"state", "terminated"});
      if (waiting && !string_at(*waiting, {"reason"}).empty()) {
        reason = string_at(*waiting, {"reason"});
      } else if (terminated) {
        reason = terminated_reason(*terminated, "");
      } else if (bool_at(*s, {"ready"}).value_or(false) && object_at(*s, {"state", "running"})) {
        running = true;
        ++ready;
      }
    }
    if (reason == "Completed" && running)
      reason = has_condition(pod, "Ready", "True") ? "Running" : "NotReady";
  }

  const bool deleting = !string_at(pod, {"metadata", "deletionTimestamp"}).empty();
  if (deleting && string_at(pod, {"status", "reason"}) == "NodeLost")
    reason = "Unknown";
  else if (deleting && phase != "Succeeded" && phase != "Failed")
    reason = "Terminating";

  std::string restarts_cell = std::to_string(restarts.count);
  if (restarts.count != 0 && restarts.last)
    restarts_cell += " (" +
                     human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - *restarts.last)) +
                     " ago)";

  std::string ip = string_at(pod, {"status", "podIP"});
  if (const auto* ips = array_at(pod, {"status", "podIPs"}); ips && !ips->empty() && (*ips)[0].is_object())
    ip = string_at((*ips)[0].get_object(), {"ip"}, ip);

  std::string gates = "<none>";
  if (const auto* list = array_at(*spec, {"readinessGates"}); list && !list->empty()) {
    int64_t satisfied = 0;
    for_each_object(list, [&](const json::object& g, size_t) {
      if (has_condition(pod, string_at(g, {"conditionType"}), "True")) ++satisfied;
    });
    gates = std::to_string(satisfied) + "/" + std::to_string(list->size());
  }

  return json::array{name_of(pod),
                     std::to_string(ready) + "/" + std::to_string(total),
                     reason,
                     restarts_cell,
                     age_cell(pod, now),
                     or_none(ip),
                     or_none(string_at(*spec, {"nodeName"})),
                     or_none(string_at(pod, {"status", "nominatedNodeName"})),
                     gates};
}

}  // namespace ukube::builtin
