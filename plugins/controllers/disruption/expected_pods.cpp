#include "expected_pods.h"

#include <algorithm>
#include <map>

#include <boost/json.hpp>

#include "ukube/machinery/int_or_string.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/owners.h"

namespace ukube::controllers::disruption {
namespace json = boost::json;
namespace {

const json::value* set_member(const json::object& spec, std::string_view key) {
  const json::value* v = spec.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

// The replicas the selected pods' controllers want together, each controller once
// (upstream's getExpectedScale).
int64_t expected_scale(const std::vector<ObjectPtr>& pods, const ScaleFinder& find,
                       std::vector<std::string>& unmanaged) {
  std::map<std::string, int64_t> scale_by_uid;
  for (const auto& pod : pods) {
    const json::object* ref = machinery::controller_of(*pod);
    if (!ref) {
      unmanaged.push_back(machinery::name_of(*pod));
      continue;
    }
    if (scale_by_uid.contains(machinery::string_at(*ref, {"uid"}))) continue;
    auto found = find(*ref, machinery::namespace_of(*pod));
    if (!found) throw NoControllersError("found no controllers for pod \"" + machinery::name_of(*pod) + "\"");
    scale_by_uid[found->uid] = found->replicas;
  }
  int64_t total = 0;
  for (const auto& [uid, replicas] : scale_by_uid) total += replicas;
  return total;
}

}  // namespace

ExpectedPods expected_pods(const json::object& budget, const std::vector<ObjectPtr>& pods,
                           const ScaleFinder& find) {
  ExpectedPods out;
  const json::object& spec = machinery::object_or_empty(machinery::object_at(budget, {"spec"}));
  if (const json::value* max_unavailable = set_member(spec, "maxUnavailable")) {
    out.expected = expected_scale(pods, find, out.unmanaged);
    const int64_t allowed_unavailable = machinery::scaled_value(max_unavailable, out.expected, true);
    out.desired_healthy = std::max<int64_t>(0, out.expected - allowed_unavailable);
  } else if (const json::value* min_available = set_member(spec, "minAvailable")) {
    if (machinery::is_percent(min_available)) {
      out.expected = expected_scale(pods, find, out.unmanaged);
      out.desired_healthy = machinery::scaled_value(min_available, out.expected, true);
    } else {
      out.expected = static_cast<int64_t>(pods.size());
      out.desired_healthy = machinery::scaled_value(min_available, out.expected, true);
    }
  }
  return out;
}

}  // namespace ukube::controllers::disruption
