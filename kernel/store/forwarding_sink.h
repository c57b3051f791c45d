#pragma once

#include <atomic>
#include <span>

#include "ukube/store.h"

namespace ukube::store {

// Lets the store be opened before the watch bus exists: the bus starts at the store's
// recovered revision, so it is created after open() and plugged in here.
class ForwardingSink final : public EventSink {
 public:
  void publish(std::span<const EventPtr> batch) override {
    if (auto* t = target.load()) t->publish(batch);
  }
  std::atomic<EventSink*> target{nullptr};
};

}  // namespace ukube::store
