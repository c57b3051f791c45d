#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ukube/export.h"
#include "ukube/store.h"

// The watch bus (DESIGN.md §3): every committed change fans out to subscribers, each
// reading at its own pace from one shared history; a subscriber that falls too far
// behind is closed, writers never wait for it.
namespace ukube::watch {

using store::EventPtr;

// Extra test on top of the key prefix. Runs on the subscriber's thread, never the writer's.
using EventFilter = std::function<bool(const store::Event&)>;

struct WatchOptions {
  std::string prefix;
  EventFilter filter;                              // empty: every event under prefix
  int64_t after_revision = 0;                      // deliver events with revision > this; 0: from now on
  size_t max_lag = 10000;                          // events behind the head before the watcher is closed
  std::chrono::milliseconds bookmark_interval{0};  // 0: no bookmarks
};

enum class WatchState : uint8_t {
  Events,    // `events` holds one or more events
  Bookmark,  // nothing matched; `revision` is the progress made so far
  Timeout,   // deadline passed with nothing to report
  Expired,   // after_revision is older than the history window: re-list
  TooSlow,   // the watcher fell more than max_lag behind and is closed: re-list
  Closed,    // cancelled, or the bus shut down
};

struct WatchBatch {
  WatchState state = WatchState::Timeout;
  std::vector<EventPtr> events;
  int64_t revision = 0;  // last revision this watcher has seen (matching or not)
};

class UKUBE_API Watcher {
 public:
  virtual ~Watcher();
  // Blocks until events, a bookmark, a terminal state or the deadline.
  virtual WatchBatch next(std::chrono::steady_clock::time_point deadline, size_t max_events = 1024) = 0;
  // Non-blocking form for event loops: what next() would return right now
  // (state Timeout when there is nothing yet).
  virtual WatchBatch poll(size_t max_events = 1024) = 0;
  // Called (from a writer's thread, so it must be quick) when poll() may have news.
  virtual void on_ready(std::function<void()> notify) = 0;
  virtual void cancel() = 0;
};

class UKUBE_API WatchBus : public store::EventSink {
 public:
  ~WatchBus() override;
  virtual std::unique_ptr<Watcher> watch(WatchOptions options) = 0;
  virtual int64_t head_revision() const = 0;    // newest revision published
  virtual int64_t oldest_revision() const = 0;  // oldest revision still resumable from
  virtual size_t watcher_count() const = 0;
  virtual void shutdown() = 0;  // closes every watcher
};

}  // namespace ukube::watch
