#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ukube/scheduler/node_info.h"

// Interns the values of a topology label: each node gets a small domain number per key,
// so spreading and affinity count into arrays instead of hashing strings per node.
// Rebuilt only when the snapshot's topology version moves.
namespace ukube::scheduler {

class TopologyIndex {
 public:
  struct Key {
    std::vector<int32_t> domain_of_node;  // by NodeInfo::index; -1: the node lacks the label
    std::vector<std::string> values;      // by domain number
  };
  // The index for `key` as of `snapshot`; the reference stays valid until the next call.
  const Key& get(const Snapshot& snapshot, const std::string& key);

 private:
  uint64_t version_ = 0;
  std::map<std::string, Key> keys_;
};

}  // namespace ukube::scheduler
