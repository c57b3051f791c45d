#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "kubelet_settings.h"
#include "machine_info.h"
#include "ukube/runtime/types.h"

// The Node a kubelet registers and the status it reports, as upstream's kubelet writes
// them (pkg/kubelet/nodestatus), so `kubectl describe node` reads as for a real node.
namespace ukube::kubelet {

// What the node's status is computed from, besides the settings.
struct NodeFacts {
  const KubeletSettings* settings = nullptr;
  const MachineInfo* machine = nullptr;
  std::string node_name;
  runtime::VersionInfo runtime_version;
  bool runtime_ready = true;
  std::string runtime_problem;  // why not ready
  std::vector<runtime::Image> images;
  bool memory_pressure = false, disk_pressure = false;  // a hard eviction threshold is crossed
  std::string network_problem{};                        // the network driver's, when it is not ready
};

// The Node as first created: labels, taints and the status below.
boost::json::object node_registration(const NodeFacts& facts, const std::string& now);
// status: capacity, allocatable, conditions (heartbeats at `now`), addresses, nodeInfo,
// daemonEndpoints and images. `previous` (may be null) keeps the conditions' transition times.
boost::json::object node_status(const NodeFacts& facts, const boost::json::object* previous,
                                const std::string& now);
// The same status with every heartbeat time blanked: equal for two reports that say the
// same thing, so an unchanged status is not written again before its report is due.
boost::json::object without_heartbeats(boost::json::object status);

// "key=value:Effect" or "key:Effect" as a core/v1 Taint; throws std::invalid_argument.
boost::json::object parse_taint_spec(const std::string& spec);

}  // namespace ukube::kubelet
