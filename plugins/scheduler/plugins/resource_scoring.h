#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/scheduler/node_info.h"

// How NodeResourcesFit turns a node's use of each resource into a score.
namespace ukube::scheduler {

struct ResourceWeight {
  ResourceWeight(std::string n, int64_t w = 1);
  std::string name;  // cpu, memory, ephemeral-storage or an extended resource
  int64_t weight = 1;
  // Which Resources field holds it, resolved once so scoring compares no strings.
  enum class Kind { Cpu, Memory, EphemeralStorage, Pods, Scalar } kind = Kind::Scalar;
};

struct ShapePoint {
  int64_t utilization = 0;  // percent
  int64_t score = 0;        // 0..10, scaled to 0..100
};

struct ScoringStrategy {
  enum class Type { LeastAllocated, MostAllocated, RequestedToCapacityRatio } type = Type::LeastAllocated;
  std::vector<ResourceWeight> resources{{"cpu", 1}, {"memory", 1}};
  std::vector<ShapePoint> shape;  // RequestedToCapacityRatio only
};

// Throws std::invalid_argument naming the bad field.
ScoringStrategy parse_scoring_strategy(const boost::json::value* strategy);

// Amounts the node would have requested with the pod added, and its allocatable, for
// one resource; scoring uses the non-zero defaults for cpu and memory.
int64_t requested_with(const NodeInfo& node, const PodInfo& pod, const ResourceWeight& resource,
                       bool non_zero);
int64_t allocatable_of(const NodeInfo& node, const ResourceWeight& resource);

int64_t score_node(const ScoringStrategy& strategy, const NodeInfo& node, const PodInfo& pod);

}  // namespace ukube::scheduler
