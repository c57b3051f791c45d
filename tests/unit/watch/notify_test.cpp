#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "tests/unit/watch/watch_test_util.h"

namespace ukube::watch {
namespace {

using namespace testing;
using namespace std::chrono_literals;
using std::chrono::steady_clock;

TEST(WatchBookmark, ReportsProgressOverNonMatchingEvents) {
  HistoryWatchBus bus(0);
  auto watcher = bus.watch(on("/a/").bookmarks(50ms));
  const auto created = steady_clock::now();
  publish_range(bus, 1, 10, "/b/x");

  WatchBatch bookmark = watcher->next(soon());
  ASSERT_EQ(bookmark.state, WatchState::Bookmark);
  EXPECT_EQ(bookmark.revision, 10);  // the last published, though nothing matched
  EXPECT_TRUE(bookmark.events.empty());
  EXPECT_GE(steady_clock::now() - created, 50ms);

  publish_range(bus, 11, 11, "/a/x");
  WatchBatch events = watcher->next(soon());
  ASSERT_EQ(events.state, WatchState::Events);
  EXPECT_EQ(events.revision, 11);

  publish_range(bus, 12, 20, "/b/x");
  bookmark = watcher->next(soon());
  ASSERT_EQ(bookmark.state, WatchState::Bookmark);
  EXPECT_EQ(bookmark.revision, 20);
}

TEST(WatchBookmark, IdleWatcherBookmarksItsStartingPoint) {
  HistoryWatchBus bus(42);
  auto watcher = bus.watch(on("/a/").bookmarks(10ms));
  WatchBatch first = watcher->next(soon());
  ASSERT_EQ(first.state, WatchState::Bookmark);
  EXPECT_EQ(first.revision, 42);
  EXPECT_EQ(watcher->next(soon()).state, WatchState::Bookmark);  // keeps coming
}

TEST(WatchBookmark, PollProducesDueBookmarks) {
  HistoryWatchBus bus(0);
  auto watcher = bus.watch(on("/a/").bookmarks(10ms));
  publish_range(bus, 1, 3, "/b");
  EXPECT_EQ(watcher->poll().state, WatchState::Timeout);
  std::this_thread::sleep_for(20ms);
  WatchBatch batch = watcher->poll();
  EXPECT_EQ(batch.state, WatchState::Bookmark);
  EXPECT_EQ(batch.revision, 3);
}

TEST(WatchBookmark, NoneWhenDisabled) {
  HistoryWatchBus bus(0);
  auto watcher = bus.watch(on("/a/"));
  publish_range(bus, 1, 3, "/b");
  WatchBatch batch = watcher->next(steady_clock::now() + 50ms);
  EXPECT_EQ(batch.state, WatchState::Timeout);
  EXPECT_EQ(batch.revision, 3);
}

TEST(WatchCancel, WakesABlockedNext) {
  HistoryWatchBus bus(0);
  auto watcher = bus.watch(on("/a"));
  auto blocked = std::async(std::launch::async, [&] { return watcher->next(steady_clock::now() + 120s); });
  EXPECT_EQ(blocked.wait_for(50ms), std::future_status::timeout);
  watcher->cancel();
  ASSERT_EQ(blocked.wait_for(60s), std::future_status::ready);
  EXPECT_EQ(blocked.get().state, WatchState::Closed);
  EXPECT_EQ(watcher->poll().state, WatchState::Closed);
  EXPECT_EQ(bus.watcher_count(), 0u);
  publish_range(bus, 1, 3, "/a");
  EXPECT_EQ(watcher->poll().state, WatchState::Closed);
}

TEST(WatchNext, BlockedNextWakesForAPublish) {
  HistoryWatchBus bus(0);
  auto watcher = bus.watch(on("/a"));
  auto blocked = std::async(std::launch::async, [&] { return watcher->next(steady_clock::now() + 120s); });
  EXPECT_EQ(blocked.wait_for(50ms), std::future_status::timeout);
  publish_range(bus, 1, 1, "/a");
  ASSERT_EQ(blocked.wait_for(60s), std::future_status::ready);
  EXPECT_EQ(revisions(blocked.get().events), (std::vector<int64_t>{1}));
}

TEST(WatchOnReady, FiresOncePerBatchAtMostUntilPolledEmpty) {
  HistoryWatchBus bus(0);
  auto watcher = bus.watch(on("/a"));
  std::atomic<int> calls{0};
  std::thread::id caller;
  watcher->on_ready([&] {
    ++calls;
    caller = std::this_thread::get_id();
  });

  publish_range(bus, 1, 1, "/a");
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(caller, std::this_thread::get_id());  // the publisher's thread
  // Not drained yet: further batches need not notify again.
  publish_range(bus, 2, 2, "/a");
  publish_range(bus, 3, 3, "/a");
  EXPECT_EQ(calls.load(), 1);

  EXPECT_EQ(revisions(watcher->poll().events), iota(1, 3));
  EXPECT_EQ(watcher->poll().state, WatchState::Timeout);  // re-arms
  publish_range(bus, 4, 4, "/a");
  EXPECT_EQ(calls.load(), 2);
}

TEST(WatchOnReady, OtherKeysDoNotWakeASleeperUntilItMustCatchUp) {
  HistoryWatchBus bus(0);
  auto watcher = bus.watch(on("/a/").lag(100));  // caught up at least every 25 events
  std::atomic<int> calls{0};
  watcher->on_ready([&] { ++calls; });
  publish_range(bus, 1, 10, "/b/x");
  EXPECT_EQ(calls.load(), 0) << "woken by keys outside its prefix";
  publish_range(bus, 11, 11, "/a/x");
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(revisions(watcher->poll().events), iota(11, 11));
  EXPECT_EQ(watcher->poll().state, WatchState::Timeout);  // re-arms

  // Only other keys from here on: it is still woken before it could lag 100 behind, and
  // reading then keeps it within its bound however long the other writes go on.
  for (int64_t rev = 12; rev < 12 + 400; ++rev) {
    publish_range(bus, rev, rev, "/b/x");
    if (calls.load() > 1) {
      EXPECT_EQ(watcher->poll().state, WatchState::Timeout);
      calls = 1;
    }
  }
  publish_range(bus, 412, 412, "/a/x");
  EXPECT_EQ(revisions(watcher->poll().events), iota(412, 412)) << "closed as too slow while asleep";
}

TEST(WatchOnReady, CallbackMayPollInline) {
  HistoryWatchBus bus(0);
  auto watcher = bus.watch(on("/a/"));
  std::vector<int64_t> seen;
  std::vector<WatchState> endings;
  Watcher* w = watcher.get();
  watcher->on_ready([&] {
    for (;;) {
      WatchBatch batch = w->poll();
      if (batch.state != WatchState::Events) {
        endings.push_back(batch.state);
        return;
      }
      for (const auto& e : batch.events) seen.push_back(e->revision);
    }
  });
  publish_range(bus, 1, 5, "/a/x", 2);
  publish_range(bus, 6, 8, "/b/x");  // fires too: the watcher cannot know it won't match
  publish_range(bus, 9, 9, "/a/x");
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 3, 4, 5, 9}));
  bus.shutdown();
  ASSERT_FALSE(endings.empty());
  EXPECT_EQ(endings.back(), WatchState::Closed);  // shutdown notifies too
}

TEST(WatchOnReady, NoCallbackAfterTheWatcherIsGone) {
  HistoryWatchBus bus(0);
  std::atomic<int> calls{0};
  {
    auto watcher = bus.watch(on("/a"));
    watcher->on_ready([&] { ++calls; });
  }
  publish_range(bus, 1, 3, "/a");
  bus.shutdown();
  EXPECT_EQ(calls.load(), 0);
}

TEST(WatchShutdown, ClosesEveryWatcher) {
  auto bus = std::make_unique<HistoryWatchBus>(0);
  auto blocked_watcher = bus->watch(on("/a"));
  auto idle = bus->watch(on("/b"));
  EXPECT_EQ(bus->watcher_count(), 2u);
  auto blocked =
      std::async(std::launch::async, [&] { return blocked_watcher->next(steady_clock::now() + 120s); });
  EXPECT_EQ(blocked.wait_for(50ms), std::future_status::timeout);

  bus->shutdown();
  ASSERT_EQ(blocked.wait_for(60s), std::future_status::ready);
  EXPECT_EQ(blocked.get().state, WatchState::Closed);
  EXPECT_EQ(idle->poll().state, WatchState::Closed);
  EXPECT_EQ(bus->watcher_count(), 0u);

  EXPECT_EQ(bus->watch(on("/a"))->poll().state, WatchState::Closed);
  publish_range(*bus, 1, 3, "/a");  // harmless
  EXPECT_EQ(bus->watcher_count(), 0u);

  bus.reset();  // watchers may outlive the bus
  EXPECT_EQ(idle->next(soon()).state, WatchState::Closed);
}

}  // namespace
}  // namespace ukube::watch
