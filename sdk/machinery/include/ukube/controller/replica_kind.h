#pragma once

#include <functional>
#include <optional>
#include <string>

#include <boost/json/fwd.hpp>

#include "ukube/labels.h"
#include "ukube/machinery/export.h"
#include "ukube/types.h"

// What the replica controller core (replica_manager.h) needs to know of the kind it keeps
// replicas for: apps/v1 ReplicaSet, or core/v1 ReplicationController, which upstream runs
// on the same code as if it were an older version of ReplicaSet. Both keep spec.replicas,
// spec.minReadySeconds, spec.template and the same status; they differ in where they are
// served and in the shape of spec.selector.
namespace ukube::controller {

struct ReplicaKind {
  GroupVersionResource resource;  // where the owners are served
  GroupVersionKind kind;          // what their controller references say
  std::string controller_name;    // in log lines and the work queue's name: "replicaset"
  // The owner's pod selector. Null when it does not convert (`error` says why): such an
  // owner is not synced. A missing selector selects nothing.
  std::function<std::optional<LabelSelector>(const boost::json::object& owner, std::string* error)> selector;
};

// apps/v1 ReplicaSet: spec.selector is a metav1.LabelSelector.
UKUBE_MACHINERY_API const ReplicaKind& replica_set_kind();
// core/v1 ReplicationController: spec.selector is a plain label map.
UKUBE_MACHINERY_API const ReplicaKind& replication_controller_kind();

}  // namespace ukube::controller
