#include "framework/event_interest.h"

namespace ukube::scheduler {

void EventInterest::add(const FrameworkPlugin& plugin) {
  Interest& interest = by_plugin_[plugin.name()];
  if (const auto* ext = dynamic_cast<const EnqueueExtensions*>(&plugin))
    interest.events = ext->events_to_register();
  else
    interest.any_event = true;
}

bool EventInterest::may_help(const PodInfo& pod, const std::vector<std::string>& plugins,
                             const ClusterEvent& event, const ClusterEventObjects& objects) const {
  if (plugins.empty()) return true;
  for (const auto& name : plugins) {
    auto it = by_plugin_.find(name);
    // A rejection this profile cannot attribute (another profile's plugin) is retried.
    if (it == by_plugin_.end() || it->second.any_event) return true;
    for (const auto& registered : it->second.events) {
      if (registered.event.resource != event.resource || (registered.event.actions & event.actions) == 0)
        continue;
      if (!registered.hint) return true;
      try {
        if (registered.hint(pod, event, objects) == QueueingHint::Queue) return true;
      } catch (const std::exception&) {
        return true;  // a hint that fails must not strand the pod
      }
    }
  }
  return false;
}

}  // namespace ukube::scheduler
