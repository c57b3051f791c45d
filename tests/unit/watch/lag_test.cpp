#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "tests/unit/watch/watch_test_util.h"

namespace ukube::watch {
namespace {

using namespace testing;
using namespace std::chrono_literals;

TEST(WatchLag, SlowWatcherIsClosedWhileWriterAndFastWatcherCarryOn) {
  constexpr int64_t kEvents = 20000;
  HistoryWatchBus bus(0, 2 * kEvents);
  auto slow = bus.watch(on("/a").lag(100));  // never reads until the end
  auto fast = bus.watch(on("/a").lag(0));    // 0: bounded by the ring only
  EXPECT_EQ(bus.watcher_count(), 2u);

  auto reader = std::async(std::launch::async, [&] { return take(*fast, kEvents); });
  auto writer = std::async(std::launch::async, [&] { publish_range(bus, 1, kEvents, "/a/x", 64); });

  // The writer never waits for the slow watcher: it finishes although nobody drains it.
  ASSERT_EQ(writer.wait_for(60s), std::future_status::ready) << "publish() blocked on a watcher";
  writer.get();
  ASSERT_EQ(reader.wait_for(60s), std::future_status::ready);
  EXPECT_EQ(revisions(reader.get()), iota(1, kEvents));

  WatchBatch closed = slow->next(soon());
  EXPECT_EQ(closed.state, WatchState::TooSlow);
  EXPECT_EQ(slow->poll().state, WatchState::TooSlow);  // terminal
  EXPECT_EQ(bus.watcher_count(), 1u);
}

TEST(WatchLag, ReadingFromTheFrontIsNotLag) {
  HistoryWatchBus bus(0, 10000);
  publish_range(bus, 1, 5000, "/a", 64);
  auto watcher = bus.watch(on("/a").after(1).lag(100));
  EXPECT_EQ(revisions(take(*watcher, 4999, 64)), iota(2, 5000));
  publish_range(bus, 5001, 5050, "/a");
  EXPECT_EQ(revisions(take(*watcher, 50)), iota(5001, 5050));
}

TEST(WatchLag, NewEventsDuringAReplayCountAsLag) {
  HistoryWatchBus bus(0, 10000);
  publish_range(bus, 1, 1000, "/a", 64);
  auto watcher = bus.watch(on("/a").after(1).lag(100));
  publish_range(bus, 1001, 1200, "/a", 64);
  EXPECT_EQ(watcher->poll().state, WatchState::TooSlow);
}

TEST(WatchLag, FallingOffTheRingIsTooSlowEvenWithoutALagBound) {
  HistoryWatchBus bus(0, 16);
  auto watcher = bus.watch(on("/a").lag(0));
  publish_range(bus, 1, 500, "/a", 7);
  WatchBatch batch = watcher->next(soon(), 4);
  // It may still drain the chunk it holds, but it can never skip events silently.
  std::vector<int64_t> seen;
  while (batch.state == WatchState::Events) {
    for (const auto& e : batch.events) seen.push_back(e->revision);
    batch = watcher->next(soon(), 4);
  }
  EXPECT_EQ(batch.state, WatchState::TooSlow);
  EXPECT_EQ(seen, iota(1, static_cast<int64_t>(seen.size())));
}

TEST(WatchLag, LagWithinTheBoundIsFine) {
  HistoryWatchBus bus(0);
  auto watcher = bus.watch(on("/a").lag(100));
  publish_range(bus, 1, 100, "/a", 10);
  EXPECT_EQ(revisions(take(*watcher, 100)), iota(1, 100));
}

}  // namespace
}  // namespace ukube::watch
