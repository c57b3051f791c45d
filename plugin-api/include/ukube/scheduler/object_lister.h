#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/export.h"

namespace ukube {
struct GroupVersionResource;  // ukube/types.h
}

// Read-only lookups in the informer caches the scheduler keeps besides pods and nodes,
// for plugins that derive something from other objects (PodTopologySpread's default
// selector reads Services, ReplicationControllers, ReplicaSets and StatefulSets, as
// upstream's listers do). Answers come from memory, never from the server, so they are
// cheap enough to call once per scheduling cycle.
//
// Watched today: v1 services and replicationcontrollers, apps/v1 replicasets and
// statefulsets, and policy/v1 poddisruptionbudgets (for DefaultPreemption). A resource
// that is not watched, or that the server does not serve, has no objects: plugins treat
// it as empty rather than as an error.
namespace ukube::scheduler {

class UKUBE_API ObjectLister {
 public:
  virtual ~ObjectLister() = default;
  // Every cached object of `resource` in namespace `ns` (the version is not compared).
  virtual std::vector<std::shared_ptr<const boost::json::object>> list(const GroupVersionResource& resource,
                                                                       std::string_view ns) const = 0;
  // The cached object `ns`/`name`, or null.
  virtual std::shared_ptr<const boost::json::object> get(const GroupVersionResource& resource,
                                                         std::string_view ns,
                                                         std::string_view name) const = 0;
};

}  // namespace ukube::scheduler
