#pragma once

#include "ukube/machinery/resources.h"

// The API resources the scheduler reads and writes.
namespace ukube::scheduler::resources {

using machinery::kEvents;
using machinery::kLeases;
using machinery::kNamespaces;
using machinery::kNodes;
using machinery::kPodDisruptionBudgets;
using machinery::kPods;
using machinery::kPriorityClasses;
using machinery::kReplicaSets;
using machinery::kReplicationControllers;
using machinery::kServices;
using machinery::kStatefulSets;

}  // namespace ukube::scheduler::resources
