#pragma once

#include "framework/registry.h"

// Plugins whose decision for one node depends on the pods across a topology domain.
namespace ukube::scheduler {

FrameworkPluginFactory pod_topology_spread_factory();
FrameworkPluginFactory inter_pod_affinity_factory();

}  // namespace ukube::scheduler
