#include "watch_queue.h"

namespace ukube::testing::detail {

void WatchQueue::push(WatchEvent event) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    events_.push_back(std::move(event));
  }
  ready_.notify_all();
}

std::optional<WatchEvent> WatchQueue::pop(std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  if (deadline_ && *deadline_ < until) until = *deadline_;
  std::unique_lock lock(mutex_);
  ready_.wait_until(lock, until, [&] { return stopped_ || !events_.empty(); });
  // Events already queued are still delivered after a timeout, as a server flushes them.
  if (stopped_ || events_.empty()) return std::nullopt;
  WatchEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

bool WatchQueue::done() const {
  std::lock_guard lock(mutex_);
  return stopped_ || (expired() && events_.empty());
}

void WatchQueue::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    events_.clear();
  }
  ready_.notify_all();
}

}  // namespace ukube::testing::detail
