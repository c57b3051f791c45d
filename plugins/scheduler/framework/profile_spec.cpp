#include "framework/profile_spec.h"

namespace ukube::scheduler {

const char* to_string(Point p) {
  static const char* names[] = {"queueSort", "preFilter", "filter",  "postFilter", "preScore", "score",
                                "reserve",   "permit",    "preBind", "bind",       "postBind"};
  return names[static_cast<size_t>(p)];
}

const std::vector<PluginRef>& default_plugins() {
  static const std::vector<PluginRef> plugins = {
      {"PrioritySort", 0},
      {"NodeUnschedulable", 0},
      {"NodeName", 0},
      {"TaintToleration", 3},
      {"NodeAffinity", 2},
      {"NodePorts", 0},
      {"NodeResourcesFit", 1},
      {"PodTopologySpread", 2},
      {"InterPodAffinity", 2},
      {"DefaultPreemption", 0},
      {"NodeResourcesBalancedAllocation", 1},
      {"ImageLocality", 1},
      {"DefaultBinder", 0},
  };
  return plugins;
}

}  // namespace ukube::scheduler
