#pragma once

#include "ukube/types.h"

// The API resources the scheduler reads and writes.
namespace ukube::scheduler::resources {

inline const GroupVersionResource kPods{"", "v1", "pods"};
inline const GroupVersionResource kNodes{"", "v1", "nodes"};
inline const GroupVersionResource kNamespaces{"", "v1", "namespaces"};
inline const GroupVersionResource kEvents{"", "v1", "events"};
inline const GroupVersionResource kServices{"", "v1", "services"};
inline const GroupVersionResource kReplicationControllers{"", "v1", "replicationcontrollers"};
inline const GroupVersionResource kReplicaSets{"apps", "v1", "replicasets"};
inline const GroupVersionResource kStatefulSets{"apps", "v1", "statefulsets"};
inline const GroupVersionResource kPriorityClasses{"scheduling.k8s.io", "v1", "priorityclasses"};
inline const GroupVersionResource kPodDisruptionBudgets{"policy", "v1", "poddisruptionbudgets"};
inline const GroupVersionResource kLeases{"coordination.k8s.io", "v1", "leases"};

}  // namespace ukube::scheduler::resources
