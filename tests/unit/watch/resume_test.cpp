#include <gtest/gtest.h>

#include "tests/unit/watch/watch_test_util.h"

namespace ukube::watch {
namespace {

using namespace testing;

TEST(WatchResume, ReplaysFromInsideTheWindowThenGoesLive) {
  HistoryWatchBus bus(0, 1000);
  publish_range(bus, 1, 50, "/a/x", 8);
  auto watcher = bus.watch(on("/a/").after(20));
  EXPECT_EQ(revisions(take(*watcher, 30)), iota(21, 50));
  publish_range(bus, 51, 60, "/a/x", 3);
  EXPECT_EQ(revisions(take(*watcher, 10)), iota(51, 60));
}

TEST(WatchResume, RevisionsWithGapsResumeAtTheNextNewerEvent) {
  HistoryWatchBus bus(0, 1000);
  bus.publish(std::vector{event(10, "/a"), event(20, "/a"), event(30, "/a")});
  auto watcher = bus.watch(on("/a").after(15));
  EXPECT_EQ(revisions(take(*watcher, 2)), (std::vector<int64_t>{20, 30}));
}

TEST(WatchResume, OlderThanTheWindowIsExpired) {
  HistoryWatchBus bus(0, 16);
  publish_range(bus, 1, 200, "/a", 5);
  const int64_t oldest = bus.oldest_revision();
  ASSERT_GT(oldest, 1);
  ASSERT_LE(oldest, 200 - 16);  // at least the capacity stays resumable

  auto stale = bus.watch(on("/a").after(oldest - 1));
  EXPECT_EQ(stale->poll().state, WatchState::Expired);
  EXPECT_EQ(stale->next(soon()).state, WatchState::Expired);  // terminal
  EXPECT_EQ(bus.watcher_count(), 0u);

  auto edge = bus.watch(on("/a").after(oldest));
  EXPECT_EQ(revisions(take(*edge, static_cast<size_t>(200 - oldest))), iota(oldest + 1, 200));
}

TEST(WatchResume, BeforeTheStartRevisionIsExpired) {
  HistoryWatchBus bus(500);
  EXPECT_EQ(bus.oldest_revision(), 500);
  EXPECT_EQ(bus.head_revision(), 500);
  auto stale = bus.watch(on("/a").after(100));
  EXPECT_EQ(stale->next(soon()).state, WatchState::Expired);

  auto from_start = bus.watch(on("/a").after(500));
  publish_range(bus, 501, 503, "/a");
  EXPECT_EQ(revisions(take(*from_start, 3)), iota(501, 503));
}

TEST(WatchResume, FutureRevisionWaitsForItsEvents) {
  HistoryWatchBus bus(0);
  publish_range(bus, 1, 5, "/a");
  auto watcher = bus.watch(on("/a").after(8));
  EXPECT_EQ(watcher->poll().state, WatchState::Timeout);
  publish_range(bus, 6, 10, "/a");
  WatchBatch batch = watcher->next(soon());
  ASSERT_EQ(batch.state, WatchState::Events);
  EXPECT_EQ(revisions(batch.events), (std::vector<int64_t>{9, 10}));
}

TEST(WatchResume, ResumeAtTheHeadSeesOnlyNewEvents) {
  HistoryWatchBus bus(0);
  publish_range(bus, 1, 5, "/a");
  auto watcher = bus.watch(on("/a").after(5));
  EXPECT_EQ(watcher->poll().state, WatchState::Timeout);
  publish_range(bus, 6, 6, "/a");
  EXPECT_EQ(revisions(take(*watcher, 1)), (std::vector<int64_t>{6}));
}

TEST(WatchResume, WindowSlidesAsEventsArrive) {
  HistoryWatchBus bus(0, 64);
  int64_t previous = bus.oldest_revision();
  for (int64_t r = 1; r <= 2000; r += 10) {
    publish_range(bus, r, r + 9, "/a", 10);
    EXPECT_GE(bus.oldest_revision(), previous);
    EXPECT_LE(bus.oldest_revision(), std::max<int64_t>(0, bus.head_revision() - 64));  // capacity kept
    previous = bus.oldest_revision();
  }
  EXPECT_GT(previous, 1000);  // and old events are really dropped
}

}  // namespace
}  // namespace ukube::watch
