#pragma once

#include "ukube/scheduler/node_info.h"

// What a pod adds to the node it runs on: the one place requests, ports and affinity
// counters are summed, for the cache and for preemption's simulations alike.
namespace ukube::scheduler {

void add_pod(NodeInfo& node, PodInfoPtr pod);
// False when the pod (by uid) is not on the node.
bool remove_pod(NodeInfo& node, const std::string& uid);

void add_resources(Resources& into, const Resources& r);
void subtract_resources(Resources& from, const Resources& r);

}  // namespace ukube::scheduler
