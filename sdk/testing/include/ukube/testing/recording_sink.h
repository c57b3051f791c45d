#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "ukube/store.h"

// A store EventSink that keeps every event it is given, for tests of store backends and
// their decorators; tests wait for the events they expect, since backends publish from
// their own threads.
namespace ukube::testing {

class RecordingSink : public store::EventSink {
 public:
  void publish(std::span<const store::EventPtr> batch) override;

  // Every event so far.
  std::vector<store::EventPtr> events() const;
  // The events so far, once there are at least `count` (or once `timeout` passed).
  std::vector<store::EventPtr> wait_for(size_t count,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The events under `prefix`, once at least `count` of them arrived (or `timeout` passed).
  std::vector<store::EventPtr> wait_for(const std::string& prefix, size_t count,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  std::vector<store::EventPtr> under(const std::string& prefix) const;  // mutex_ held

  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<store::EventPtr> events_;
};

}  // namespace ukube::testing
