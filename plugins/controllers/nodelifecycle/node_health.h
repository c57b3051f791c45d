#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

// What the node lifecycle controller decides, as pure functions of the objects: a node's
// conditions once its kubelet went silent, the taints its Ready condition calls for, and
// when a pod on a node with NoExecute taints must go.
namespace ukube::controllers::nodelifecycle {

using Clock = std::chrono::system_clock;

inline constexpr const char* kUnreachableTaint = "node.kubernetes.io/unreachable";
inline constexpr const char* kNotReadyTaint = "node.kubernetes.io/not-ready";

// The Ready condition's status: "True", "False", "Unknown", or "" when there is none.
std::string ready_status(const boost::json::object& node);

// The node's conditions once its kubelet stopped posting: every condition Unknown with
// reason NodeStatusUnknown, as upstream writes them; a Ready condition is added when the
// kubelet never posted one. `now` is RFC 3339.
boost::json::array silent_kubelet_conditions(const boost::json::array* conditions, const std::string& now);

// spec.taints as the Ready status calls for: unreachable (Unknown) or not-ready (False),
// NoSchedule and NoExecute, and neither when True. nullopt when nothing changes.
std::optional<boost::json::array> taints_for(const boost::json::array* taints, const std::string& ready,
                                             const std::string& now);

// When a pod with these tolerations must leave a node with these taints (only NoExecute
// ones count): at once for a taint it does not tolerate, else the taint's timeAdded plus the
// smallest tolerationSeconds of the tolerations that match; nullopt when it may stay.
std::optional<Clock::time_point> eviction_time(const boost::json::array* tolerations,
                                               const boost::json::array* taints, Clock::time_point now);

}  // namespace ukube::controllers::nodelifecycle
