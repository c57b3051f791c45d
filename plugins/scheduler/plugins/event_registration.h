#pragma once

#include <functional>
#include <utility>

#include "ukube/scheduler/cluster_event.h"

// Shorthands the in-tree plugins declare their EnqueueExtensions with.
namespace ukube::scheduler {

inline ClusterEventWithHint on(EventResource resource, uint32_t actions, QueueingHintFn hint = {}) {
  return {{resource, actions}, std::move(hint)};
}

// A hint for node events: worth a retry only if the added or changed node now passes
// `passes` for the pending pod (a deleted node, or one the cache lacks, always is).
inline QueueingHintFn when_node(std::function<bool(const PodInfo& pod, const NodeInfo& node)> passes) {
  return [passes = std::move(passes)](const PodInfo& pod, const ClusterEvent&,
                                      const ClusterEventObjects& objects) {
    if (!objects.node) return QueueingHint::Queue;
    return passes(pod, *objects.node) ? QueueingHint::Queue : QueueingHint::Skip;
  };
}

}  // namespace ukube::scheduler
