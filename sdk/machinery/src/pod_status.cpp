#include <boost/json.hpp>

#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"

namespace ukube::machinery {

std::string pod_phase(const boost::json::object& pod) {
  return string_at(pod, {"status", "phase"});
}

bool is_pod_terminal(const boost::json::object& pod) {
  return is_terminal_phase(pod_phase(pod));
}

bool is_pod_active(const boost::json::object& pod) {
  return !is_pod_terminal(pod) && !has_deletion_timestamp(pod);
}

bool is_pod_ready(const boost::json::object& pod) {
  return is_condition_true(pod, "Ready");
}

bool is_pod_available(const boost::json::object& pod, int32_t min_ready_seconds, Clock::time_point now) {
  if (!is_pod_ready(pod)) return false;
  if (min_ready_seconds == 0) return true;
  const auto* ready = find_condition(pod, "Ready");
  auto since = parse_time(string_at(*ready, {"lastTransitionTime"}));
  // Strictly before now, as upstream: ready for exactly minReadySeconds is not enough.
  return since && *since + std::chrono::seconds(min_ready_seconds) < now;
}

}  // namespace ukube::machinery
