#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/export.h"
#include "ukube/scheduler/node_info.h"
#include "ukube/scheduler/pod_info.h"

// Cluster events that can make a pod the scheduler gave up on schedulable, and the
// plugins' say on which of them are worth another attempt (upstream's
// EnqueueExtensions and QueueingHints). A pod rejected by some plugins goes back to the
// active queue only on an event one of those plugins registered, and only if that
// plugin's hint, when it has one, says the event may help. (A change to the pending pod
// itself always earns it another attempt.)
namespace ukube::scheduler {

enum class EventResource : uint8_t {
  Node,
  AssignedPod,  // a pod bound to a node (it takes room, has labels others match)
};

// Bits: an event carries one or more; a registration matches any of its bits.
namespace action {
inline constexpr uint32_t Add = 1u << 0;
inline constexpr uint32_t Delete = 1u << 1;
inline constexpr uint32_t UpdateNodeAllocatable = 1u << 2;
inline constexpr uint32_t UpdateNodeLabel = 1u << 3;
inline constexpr uint32_t UpdateNodeTaint = 1u << 4;  // taints or spec.unschedulable
inline constexpr uint32_t UpdateNodeCondition = 1u << 5;
inline constexpr uint32_t UpdateNodeAnnotation = 1u << 6;
inline constexpr uint32_t UpdatePodLabel = 1u << 7;
inline constexpr uint32_t UpdatePodScaleDown = 1u << 8;  // smaller requests
inline constexpr uint32_t UpdateOther = 1u << 9;         // any other change
inline constexpr uint32_t Update = UpdateNodeAllocatable | UpdateNodeLabel | UpdateNodeTaint |
                                   UpdateNodeCondition | UpdateNodeAnnotation | UpdatePodLabel |
                                   UpdatePodScaleDown | UpdateOther;
inline constexpr uint32_t All = Add | Delete | Update;
}  // namespace action

struct ClusterEvent {
  EventResource resource = EventResource::Node;
  uint32_t actions = action::All;
};

// What changed: the objects as stored (null for the missing side of an add or delete),
// the parsed pods for pod events, and the node as the scheduler now sees it for node
// events (null for a delete).
struct ClusterEventObjects {
  std::shared_ptr<const boost::json::object> old_object;
  std::shared_ptr<const boost::json::object> new_object;
  const PodInfo* old_pod = nullptr;
  const PodInfo* new_pod = nullptr;
  const NodeInfo* node = nullptr;
};

enum class QueueingHint : uint8_t { Skip, Queue };

// Whether `event` may make `pending` schedulable for the plugin that registered it.
// Runs on the scheduling thread; must be cheap and must not write.
using QueueingHintFn = std::function<QueueingHint(const PodInfo& pending, const ClusterEvent& event,
                                                  const ClusterEventObjects& objects)>;

struct ClusterEventWithHint {
  ClusterEvent event;
  QueueingHintFn hint;  // empty: every matching event may help
};

// Implemented by plugins that reject pods (PreFilter, Filter, Permit...). A plugin that
// does not implement it is assumed to be helped by any event.
class UKUBE_API EnqueueExtensions {
 public:
  virtual ~EnqueueExtensions() = default;
  virtual std::vector<ClusterEventWithHint> events_to_register() const = 0;
};

}  // namespace ukube::scheduler
