#include "ukube/testing/recording_sink.h"

namespace ukube::testing {

void RecordingSink::publish(std::span<const store::EventPtr> batch) {
  {
    std::lock_guard lock(mutex_);
    events_.insert(events_.end(), batch.begin(), batch.end());
  }
  arrived_.notify_all();
}

std::vector<store::EventPtr> RecordingSink::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

std::vector<store::EventPtr> RecordingSink::wait_for(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, timeout, [&] { return events_.size() >= count; });
  return events_;
}

std::vector<store::EventPtr> RecordingSink::wait_for(const std::string& prefix, size_t count,
                                                     std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, timeout, [&] { return under(prefix).size() >= count; });
  return under(prefix);
}

std::vector<store::EventPtr> RecordingSink::under(const std::string& prefix) const {
  std::vector<store::EventPtr> out;
  for (const auto& e : events_)
    if (e->key.starts_with(prefix)) out.push_back(e);
  return out;
}

}  // namespace ukube::testing
