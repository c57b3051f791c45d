#pragma once

#include <string>

#include "ukube/scheduler/framework.h"

// The FailedScheduling message, worded as upstream's so that people and tools that read
// it keep working: "0/3 nodes are available: 1 node(s) had untolerated taint {a: b},
// 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found
// for incoming pod."
namespace ukube::scheduler {

struct Diagnosis {
  size_t num_nodes = 0;
  std::string pre_filter_message;          // set when PreFilter rejected the pod outright
  const NodeStatuses* statuses = nullptr;  // Filter's verdict per node
  std::string post_filter_message;         // e.g. preemption's own summary
};

std::string fit_error_message(const Diagnosis& d);

// "N/M nodes are available: <histogram>." for one set of statuses; shared with
// preemption's summary.
std::string histogram_message(size_t num_nodes, const std::vector<const Status*>& statuses);

}  // namespace ukube::scheduler
