// Container events: queued on the shared scheduler as they happen and delivered there, in
// order, one event at a time per driver.
#include <vector>

#include "fake_driver.h"

namespace ukube::runtime::fake {

void FakeDriver::post_event_locked(const Container& container, ContainerEventType type, int64_t at) {
  if (subscriber_count_.load() == 0) return;  // thousands of pods, nobody listening: no work
  ContainerEvent event{container.status.id, container.status.pod_sandbox_id, type, at};
  schedule_at(0, [event = std::move(event)](FakeDriver& self) { self.deliver(event); });
}

void FakeDriver::deliver(const ContainerEvent& event) {
  std::lock_guard lock(subscribers_mutex_);
  std::vector<uint64_t> ids;
  ids.reserve(subscribers_.size());
  for (const auto& [id, handler] : subscribers_) ids.push_back(id);
  for (uint64_t id : ids) {
    // Looked up again: a handler may have unsubscribed another one.
    auto it = subscribers_.find(id);
    if (it == subscribers_.end()) continue;
    ContainerEventHandler handler = it->second;  // a copy: unsubscribing itself is allowed
    try {
      handler(event);
    } catch (...) {
      // One subscriber's failure must not cost the others their events.
    }
  }
}

uint64_t FakeDriver::subscribe(ContainerEventHandler handler) {
  std::lock_guard lock(subscribers_mutex_);
  const uint64_t id = next_subscription_++;
  subscribers_.emplace(id, std::move(handler));
  subscriber_count_.store(subscribers_.size());
  return id;
}

void FakeDriver::unsubscribe(uint64_t subscription) {
  // Taking the lock waits for a delivery in progress on the scheduler's thread.
  std::lock_guard lock(subscribers_mutex_);
  subscribers_.erase(subscription);
  subscriber_count_.store(subscribers_.size());
}

}  // namespace ukube::runtime::fake
