#include "kernel/watch/history_watch_bus.h"

#include <utility>

#include "kernel/watch/history_watcher.h"

namespace ukube::watch {

HistoryWatchBus::HistoryWatchBus(int64_t start_revision, size_t history_capacity)
    : core_(std::make_shared<BusCore>(start_revision, history_capacity)) {}

HistoryWatchBus::~HistoryWatchBus() {
  shutdown();
}

void HistoryWatchBus::publish(std::span<const EventPtr> batch) {
  if (batch.empty()) return;
  std::lock_guard lock(publish_mu_);
  if (shut_down_) return;
  core_->history.append(batch);
  core_->subscribers.fire_armed(batch, wake_scratch_);
}

std::unique_ptr<Watcher> HistoryWatchBus::watch(WatchOptions options) {
  return std::make_unique<HistoryWatcher>(core_, std::move(options));
}

int64_t HistoryWatchBus::head_revision() const {
  return core_->history.head_revision();
}

int64_t HistoryWatchBus::oldest_revision() const {
  return core_->history.floor_revision();
}

size_t HistoryWatchBus::watcher_count() const {
  return core_->subscribers.size();
}

void HistoryWatchBus::shutdown() {
  {
    std::lock_guard lock(publish_mu_);
    shut_down_ = true;
  }
  core_->subscribers.close_all();
}

}  // namespace ukube::watch
