#include <gtest/gtest.h>

#include "tests/unit/watch/watch_test_util.h"

namespace ukube::watch {
namespace {

using namespace testing;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(WatchDelivery, LiveEventsArriveInOrderAndShared) {
  HistoryWatchBus bus(0);
  publish_range(bus, 1, 10, "/core/pods/ns/a");  // before the watch: not delivered
  auto watcher = bus.watch(on("/core/pods/"));

  std::vector<store::EventPtr> published;
  for (int64_t r = 11; r <= 110; ++r) published.push_back(event(r, "/core/pods/ns/a"));
  for (size_t i = 0; i < published.size(); i += 7) {
    bus.publish(std::span(published).subspan(i, std::min<size_t>(7, published.size() - i)));
  }

  auto got = take(*watcher, 100);
  ASSERT_EQ(revisions(got), iota(11, 110));
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].get(), published[i].get()) << "copied, not shared";
  EXPECT_EQ(bus.head_revision(), 110);
}

TEST(WatchDelivery, PrefixIsAPlainKeyPrefix) {
  HistoryWatchBus bus(0);
  auto ns1 = bus.watch(on("/core/pods/ns1/"));
  auto all = bus.watch(on(""));
  bus.publish(std::vector{
      event(1, "/core/pods/ns1/a"),
      event(2, "/core/pods/ns10/a"),  // shares the characters, not the namespace
      event(3, "/core/pods/ns1"),     // the folder's own name, without the slash
      event(4, "/core/pods/"),
      event(5, "/core/pods/ns1/b"),
      event(6, "/apps/pods/ns1/a"),
  });

  WatchBatch batch = ns1->next(soon());
  ASSERT_EQ(batch.state, WatchState::Events);
  EXPECT_EQ(revisions(batch.events), (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(batch.revision, 6);  // examined the trailing non-match too
  EXPECT_EQ(revisions(take(*all, 6)), iota(1, 6));
}

TEST(WatchDelivery, FilterRunsOnTopOfPrefix) {
  HistoryWatchBus bus(0);
  auto deletes = bus.watch(
      on("/core/").filter([](const store::Event& e) { return e.type == store::EventType::Delete; }));
  bus.publish(std::vector{event(1, "/core/a", store::EventType::Create), event(2, "/core/a"),
                          event(3, "/core/a", store::EventType::Delete),
                          event(4, "/other/a", store::EventType::Delete),
                          event(5, "/core/b", store::EventType::Create)});
  WatchBatch batch = deletes->next(soon());
  ASSERT_EQ(batch.state, WatchState::Events);
  ASSERT_EQ(batch.events.size(), 1u);
  EXPECT_EQ(batch.events[0]->revision, 3);
  EXPECT_EQ(batch.events[0]->prev_value->size(), 2u);
  EXPECT_EQ(batch.revision, 5);
}

TEST(WatchDelivery, MaxEventsSplitsABatch) {
  HistoryWatchBus bus(0);
  auto watcher = bus.watch(on("/k"));
  publish_range(bus, 1, 10, "/k", 10);
  WatchBatch first = watcher->next(soon(), 3);
  ASSERT_EQ(first.state, WatchState::Events);
  EXPECT_EQ(revisions(first.events), iota(1, 3));
  EXPECT_EQ(first.revision, 3);
  WatchBatch rest = watcher->poll(100);
  EXPECT_EQ(revisions(rest.events), iota(4, 10));
  EXPECT_EQ(watcher->poll().state, WatchState::Timeout);
}

TEST(WatchDelivery, NextTimesOutWithProgress) {
  HistoryWatchBus bus(7);
  auto watcher = bus.watch(on("/a/"));
  WatchBatch batch = watcher->next(steady_clock::now() + milliseconds(20));
  EXPECT_EQ(batch.state, WatchState::Timeout);
  EXPECT_EQ(batch.revision, 7);
  EXPECT_EQ(watcher->poll().state, WatchState::Timeout);
}

TEST(WatchDelivery, OutOfOrderEventsAreDropped) {
  HistoryWatchBus bus(10);
  auto watcher = bus.watch(on("/a"));
  bus.publish(std::vector{event(5, "/a"), event(11, "/a"), event(11, "/a"), event(12, "/a")});
  EXPECT_EQ(revisions(take(*watcher, 2)), (std::vector<int64_t>{11, 12}));
  EXPECT_EQ(watcher->poll().state, WatchState::Timeout);
}

}  // namespace
}  // namespace ukube::watch
