#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "kernel/watch/bus_core.h"
#include "kernel/watch/wake_signal.h"
#include "ukube/watch.h"

namespace ukube::watch {

// One subscriber: a cursor into the shared history, advanced on the consumer's own
// thread, where the prefix and filter run too.
//
// Event-loop use: register on_ready(), then poll() until it returns Timeout; the callback
// fires (once per published batch at most) only after a poll() came back empty, or after
// registration. Bookmarks are produced by next()/poll() themselves, so a poll()-driven
// consumer that wants them polls at least every bookmark_interval.
//
// The on_ready callback runs on the publisher's (or shutdown's) thread and may call
// poll() and cancel(), but must not destroy this watcher or call on_ready().
class HistoryWatcher final : public Watcher {
 public:
  HistoryWatcher(std::shared_ptr<BusCore> core, WatchOptions options);
  ~HistoryWatcher() override;

  WatchBatch next(std::chrono::steady_clock::time_point deadline, size_t max_events) override;
  WatchBatch poll(size_t max_events) override;
  void on_ready(std::function<void()> notify) override;
  void cancel() override;

 private:
  using Clock = std::chrono::steady_clock;

  // Scans everything published up to the head (or until max_events matched). State
  // Timeout means nothing matched and every event below `seen_head` was examined.
  WatchBatch read_locked(size_t max_events, int64_t& seen_head);
  std::optional<WatchBatch> bookmark_locked(Clock::time_point now);
  WatchBatch end_locked(WatchState state);
  bool matches(const store::Event& event) const;

  const std::shared_ptr<BusCore> core_;
  const std::shared_ptr<WakeSignal> signal_;
  const std::string prefix_;
  const EventFilter filter_;
  const int64_t max_lag_;  // 0: only the history window bounds the lag
  const std::chrono::milliseconds bookmark_interval_;

  std::mutex read_mu_;      // the cursor below; never held while sleeping
  int64_t seq_ = 0;         // next event to examine
  int64_t lag_origin_ = 0;  // lag counts from here, so replaying a backlog is not lag
  int64_t skip_through_ = 0;
  int64_t revision_ = 0;  // last revision examined
  std::shared_ptr<const HistoryChunk> chunk_;
  std::optional<WatchState> terminal_;
  Clock::time_point last_report_;
};

}  // namespace ukube::watch
