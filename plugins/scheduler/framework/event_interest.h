#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "ukube/scheduler/cluster_event.h"
#include "ukube/scheduler/framework.h"

// Which cluster events each plugin of a profile said may help the pods it rejects
// (EnqueueExtensions), so the queue retries a pod only when such an event happens.
namespace ukube::scheduler {

class EventInterest {
 public:
  // Plugins that do not implement EnqueueExtensions are taken to care for every event.
  void add(const FrameworkPlugin& plugin);

  // Whether `event` may help `pod`, last rejected by `plugins` (empty: by nothing a
  // plugin owned, e.g. an error, so any event may help).
  bool may_help(const PodInfo& pod, const std::vector<std::string>& plugins, const ClusterEvent& event,
                const ClusterEventObjects& objects) const;

 private:
  struct Interest {
    bool any_event = false;
    std::vector<ClusterEventWithHint> events;
  };
  std::unordered_map<std::string, Interest> by_plugin_;
};

}  // namespace ukube::scheduler
