#pragma once

#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/scheduler/pod_info.h"

// PodTopologySpreadArgs: the constraints applied to pods that declare none.
namespace ukube::scheduler {

struct SpreadArgs {
  // defaultingType System: upstream's built-in constraints, and scoring then tolerates
  // nodes that lack a topology key (they only score the keys they have).
  bool system_defaulted = true;
  // Selectors are left empty: each pod's is derived from what selects it.
  std::vector<TopologySpreadConstraint> defaults;
};

// {maxSkew 3, kubernetes.io/hostname} and {maxSkew 5, topology.kubernetes.io/zone}, both
// ScheduleAnyway.
std::vector<TopologySpreadConstraint> system_default_constraints();

// Parses pluginConfig args. Throws std::invalid_argument listing every problem by field
// path ("defaultConstraints[0].maxSkew: Invalid value: 0: ..."), as upstream validates.
SpreadArgs parse_spread_args(const boost::json::object& args);

}  // namespace ukube::scheduler
