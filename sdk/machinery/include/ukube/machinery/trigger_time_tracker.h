#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/client.h"
#include "ukube/machinery/export.h"
#include "ukube/machinery/time.h"

// The value of endpoints.kubernetes.io/last-change-trigger-time on the Endpoints and
// EndpointSlices of a Service, as upstream's TriggerTimeTracker computes it: the earliest
// of the trigger times (a pod's Ready condition's lastTransitionTime, the Service's
// creationTimestamp) that moved since the previous sync of that Service; the Service's
// creationTimestamp on its first sync. Like upstream it may be off when one object
// changes several times between two syncs.
namespace ukube::machinery {

class UKUBE_MACHINERY_API TriggerTimeTracker {
 public:
  // Records what this sync of the Service saw (`pods`: those its selector selects) and
  // returns the time to publish, nullopt when none (the annotation is then removed).
  // Safe across threads for different Services; one Service is synced by one thread.
  std::optional<Clock::time_point> compute(const boost::json::object& service,
                                           const std::vector<ObjectPtr>& pods);
  // Forgets a Service that is gone.
  void forget(const std::string& ns, const std::string& name);

 private:
  struct State {
    std::optional<Clock::time_point> service_time;
    std::map<std::string, Clock::time_point> pod_times;  // by pod name
  };
  std::mutex mutex_;
  std::map<std::string, State> states_;  // by "namespace/name"
};

// A time as Go's RFC3339Nano prints it, in UTC: "2024-05-01T10:00:00Z",
// "2024-05-01T10:00:00.5Z" (trailing zeros of the fraction dropped).
UKUBE_MACHINERY_API std::string format_rfc3339_nano(Clock::time_point t);

}  // namespace ukube::machinery
