#include "plugins/topology_index.h"

#include <unordered_map>

namespace ukube::scheduler {

const TopologyIndex::Key& TopologyIndex::get(const Snapshot& snapshot, const std::string& key) {
  if (snapshot.topology_version() != version_) {
    keys_.clear();
    version_ = snapshot.topology_version();
  }
  auto it = keys_.find(key);
  if (it != keys_.end()) return it->second;
  Key& k = keys_[key];
  const auto& nodes = snapshot.nodes();
  k.domain_of_node.assign(nodes.size(), -1);
  std::unordered_map<std::string, int32_t> ids;
  for (const NodeInfo* n : nodes) {
    const std::string* v = n->labels.find(key);
    if (!v) continue;
    auto [pos, added] = ids.emplace(*v, static_cast<int32_t>(k.values.size()));
    if (added) k.values.push_back(*v);
    k.domain_of_node[n->index] = pos->second;
  }
  return k;
}

}  // namespace ukube::scheduler
