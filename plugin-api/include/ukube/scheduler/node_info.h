#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ukube/scheduler/pod_info.h"

// A node as the scheduler's plugins see it: its parsed Node object plus what the pods on
// it (bound and assumed) add up to. The scheduler keeps these in one flat array and
// updates them incrementally; plugins only read.
namespace ukube::scheduler {

struct ImageState {
  std::string name;  // normalized, as PodInfo::images
  int64_t size = 0;
  int32_t num_nodes = 0;  // nodes in the cluster that have the image
};

struct NodeInfo {
  std::string name;
  Labels labels;
  std::vector<Taint> taints;
  bool unschedulable = false;
  Resources allocatable;
  Resources requested;           // sum of its pods' requests
  Resources non_zero_requested;  // the same with defaults for unset cpu / memory
  std::vector<PodInfoPtr> pods;
  int32_t pods_with_affinity = 0;                // pods with any (anti-)affinity term
  int32_t pods_with_required_anti_affinity = 0;  // pods with required anti-affinity
  std::vector<HostPort> used_ports;
  std::vector<ImageState> images;                     // sorted by name
  uint64_t generation = 0;                            // bumped on every change
  int32_t index = -1;                                 // position in the snapshot's node list
  std::shared_ptr<const boost::json::object> object;  // null while only pods name the node

  const ImageState* image(std::string_view n) const {
    for (const auto& i : images)
      if (i.name == n) return &i;
    return nullptr;
  }
};

// The cluster at the start of one scheduling cycle.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
  virtual const std::vector<const NodeInfo*>& nodes() const = 0;
  virtual const NodeInfo* find(std::string_view node_name) const = 0;
  // Nodes with at least one pod that has (anti-)affinity terms, for InterPodAffinity.
  virtual const std::vector<const NodeInfo*>& with_pod_affinity() const = 0;
  virtual const std::vector<const NodeInfo*>& with_required_anti_affinity() const = 0;
  // A namespace's labels, for namespace selectors; null when the namespace is unknown.
  virtual const Labels* namespace_labels(std::string_view ns) const = 0;
  // Changes whenever a node is added, removed or relabelled: plugins may keep per-node
  // data derived from labels (topology domains) until it moves.
  virtual uint64_t topology_version() const = 0;
};

}  // namespace ukube::scheduler
