#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "kernel/watch/bus_core.h"
#include "ukube/watch.h"

namespace ukube::watch {

// The kernel's watch bus (DESIGN.md §3). publish() appends the shared events to one
// history ring and fires the wake signals of watchers that have caught up; it never waits
// for a watcher and does no per-watcher work per event. Each watcher pulls from the ring
// at its own pace and filters on its own thread; one that falls more than max_lag events
// behind, or off the end of the ring, is closed with TooSlow.
//
// Beyond watch.h: max_lag 0 leaves only the ring as the bound; a resume revision newer
// than the head waits for its events; on_ready() fires once after registration and then
// once after each poll() that came back Timeout, so an event loop polls until Timeout;
// the callback must not destroy its watcher or call on_ready() (poll/cancel are fine).
class HistoryWatchBus final : public WatchBus {
 public:
  // Enough for a watcher that lost its connection for a while under a busy write load to
  // resume instead of re-listing, and ten times the default max_lag so the lag rule, not
  // the ring, is what normally closes a slow watcher. The ring holds references only:
  // event values are the store's own shared bytes.
  static constexpr size_t kDefaultHistoryCapacity = 100'000;

  // Events at or before start_revision (the store's revision at start-up) are not in the
  // history, so resuming from before it is Expired.
  explicit HistoryWatchBus(int64_t start_revision, size_t history_capacity = kDefaultHistoryCapacity);
  ~HistoryWatchBus() override;

  void publish(std::span<const EventPtr> batch) override;
  std::unique_ptr<Watcher> watch(WatchOptions options) override;
  int64_t head_revision() const override;
  int64_t oldest_revision() const override;
  size_t watcher_count() const override;
  void shutdown() override;

 private:
  const std::shared_ptr<BusCore> core_;
  std::mutex publish_mu_;  // the store publishes from one thread; this keeps stray callers safe
  bool shut_down_ = false;
  std::vector<std::shared_ptr<WakeSignal>> wake_scratch_;
};

}  // namespace ukube::watch
