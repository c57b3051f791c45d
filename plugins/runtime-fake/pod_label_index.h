#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "ukube/runtime/types.h"

namespace ukube::runtime::fake {

// The ids of records (sandboxes or containers) by the pod their labels name. The kubelet
// asks for one pod's records on every sync of that pod; scanning every record of the
// node instead made each sync cost as much as the node holds pods.
class PodLabelIndex {
 public:
  void add(const Labels& labels, const std::string& id);
  void remove(const Labels& labels, const std::string& id);
  // The ids labelled with the pod that `selector` names, or null when the selector does
  // not name one pod (the caller scans every record). The ids may still fail the rest of
  // the selector.
  const std::vector<std::string>* find(const Labels& selector) const;

 private:
  std::unordered_map<std::string, std::vector<std::string>> ids_;  // by "namespace/name"
};

}  // namespace ukube::runtime::fake
