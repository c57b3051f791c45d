#pragma once

#include "ukube/types.h"

// The resources components read and write, named once.
namespace ukube::machinery {

inline const GroupVersionResource kPods{"", "v1", "pods"};
inline const GroupVersionResource kNamespaces{"", "v1", "namespaces"};
inline const GroupVersionResource kNodes{"", "v1", "nodes"};
inline const GroupVersionResource kServiceAccounts{"", "v1", "serviceaccounts"};
inline const GroupVersionResource kConfigMaps{"", "v1", "configmaps"};
inline const GroupVersionResource kSecrets{"", "v1", "secrets"};
inline const GroupVersionResource kServices{"", "v1", "services"};
inline const GroupVersionResource kEndpoints{"", "v1", "endpoints"};
inline const GroupVersionResource kEndpointSlices{"discovery.k8s.io", "v1", "endpointslices"};
inline const GroupVersionResource kServiceCIDRs{"networking.k8s.io", "v1", "servicecidrs"};
inline const GroupVersionResource kIPAddresses{"networking.k8s.io", "v1", "ipaddresses"};
inline const GroupVersionResource kEvents{"", "v1", "events"};
inline const GroupVersionResource kPersistentVolumeClaims{"", "v1", "persistentvolumeclaims"};
inline const GroupVersionResource kReplicationControllers{"", "v1", "replicationcontrollers"};
inline const GroupVersionResource kLimitRanges{"", "v1", "limitranges"};
inline const GroupVersionResource kResourceQuotas{"", "v1", "resourcequotas"};
inline const GroupVersionResource kPriorityClasses{"scheduling.k8s.io", "v1", "priorityclasses"};
inline const GroupVersionResource kReplicaSets{"apps", "v1", "replicasets"};
inline const GroupVersionResource kDeployments{"apps", "v1", "deployments"};
inline const GroupVersionResource kStatefulSets{"apps", "v1", "statefulsets"};
inline const GroupVersionResource kDaemonSets{"apps", "v1", "daemonsets"};
inline const GroupVersionResource kControllerRevisions{"apps", "v1", "controllerrevisions"};
inline const GroupVersionResource kJobs{"batch", "v1", "jobs"};
inline const GroupVersionResource kCronJobs{"batch", "v1", "cronjobs"};
inline const GroupVersionResource kLeases{"coordination.k8s.io", "v1", "leases"};
inline const GroupVersionResource kPodDisruptionBudgets{"policy", "v1", "poddisruptionbudgets"};
inline const GroupVersionResource kHorizontalPodAutoscalers{"autoscaling", "v2", "horizontalpodautoscalers"};
inline const GroupVersionResource kNetworkPolicies{"networking.k8s.io", "v1", "networkpolicies"};
inline const GroupVersionResource kPodMetrics{"metrics.k8s.io", "v1beta1", "pods"};

}  // namespace ukube::machinery
