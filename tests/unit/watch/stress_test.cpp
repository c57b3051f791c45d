#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <random>
#include <thread>

#include "tests/unit/watch/watch_test_util.h"

namespace ukube::watch {
namespace {

using namespace testing;
using namespace std::chrono_literals;
using std::chrono::steady_clock;

constexpr int kPrefixes = 4;

std::string key_for(int64_t revision) {
  return "/p" + std::to_string(revision % kPrefixes) + "/k" + std::to_string(revision % 97);
}

// Checks what a watcher on one prefix saw: strictly increasing, right prefix, and with
// `complete` every such revision in (after, last].
void check_stream(const std::vector<int64_t>& seen, int prefix, int64_t after, int64_t last, bool complete) {
  int64_t previous = after;
  for (int64_t r : seen) {
    ASSERT_GT(r, previous);
    ASSERT_EQ(r % kPrefixes, prefix);
    previous = r;
  }
  if (!complete) return;
  int64_t expected = 0;
  for (int64_t r = after + 1; r <= last; ++r) expected += (r % kPrefixes == prefix);
  EXPECT_EQ(static_cast<int64_t>(seen.size()), expected);
}

TEST(WatchStress, ManyWatchersManyEventsWithChurn) {
  constexpr int64_t kEvents = 60000;
  constexpr int kSteadyWatchers = 8;
  constexpr int kChurnThreads = 3;
  HistoryWatchBus bus(0, kEvents);  // nothing drops out: steady watchers must see everything

  std::vector<std::unique_ptr<Watcher>> steady;
  for (int i = 0; i < kSteadyWatchers; ++i) {
    steady.push_back(bus.watch(on("/p" + std::to_string(i % kPrefixes) + "/").lag(0)));
  }

  std::atomic<bool> publishing{true};
  auto writer = std::async(std::launch::async, [&] {
    std::mt19937 rng(1);
    std::vector<store::EventPtr> batch;
    for (int64_t r = 1; r <= kEvents; ++r) {
      batch.push_back(event(r, key_for(r)));
      if (batch.size() >= 1 + rng() % 64 || r == kEvents) {
        bus.publish(batch);
        batch.clear();
      }
    }
    publishing = false;
  });

  std::vector<std::future<std::vector<int64_t>>> readers;
  for (int i = 0; i < kSteadyWatchers; ++i) {
    readers.push_back(std::async(std::launch::async, [&, i] {
      std::vector<int64_t> seen;
      const auto expected = kEvents / kPrefixes;
      while (static_cast<int64_t>(seen.size()) < expected) {
        WatchBatch batch = steady[i]->next(soon(), 1 + i * 50);
        if (batch.state != WatchState::Events) break;
        for (const auto& e : batch.events) seen.push_back(e->revision);
      }
      return seen;
    }));
  }

  // Watchers come and go while the writer runs: live ones, resumed ones, callback-driven
  // ones, tiny lag bounds (TooSlow), cancelled mid-read, destroyed from other threads.
  std::atomic<int64_t> churned{0};
  std::vector<std::future<void>> churners;
  for (int t = 0; t < kChurnThreads; ++t) {
    churners.push_back(std::async(std::launch::async, [&, t] {
      std::mt19937 rng(100 + t);
      std::vector<std::unique_ptr<Watcher>> parked;  // destroyed later, by another iteration
      while (publishing) {
        const int prefix = static_cast<int>(rng() % kPrefixes);
        WatchOptions options = on("/p" + std::to_string(prefix) + "/");
        options.max_lag = rng() % 2 ? 0 : 1 + rng() % 200;
        const int64_t head = bus.head_revision();
        if (rng() % 2 && head > 0) options.after_revision = std::max<int64_t>(1, head - rng() % 5000);
        if (rng() % 3 == 0) options.bookmark_interval = 1ms;
        const int64_t after = options.after_revision;
        std::atomic<int> notified{0};  // declared first: it must outlive the watcher
        auto watcher = bus.watch(std::move(options));
        if (rng() % 2) watcher->on_ready([&notified] { ++notified; });

        std::vector<int64_t> seen;
        const int rounds = 1 + static_cast<int>(rng() % 20);
        for (int i = 0; i < rounds; ++i) {
          WatchBatch batch = rng() % 2 ? watcher->poll(1 + rng() % 100)
                                       : watcher->next(steady_clock::now() + 1ms, 1 + rng() % 100);
          for (const auto& e : batch.events) seen.push_back(e->revision);
          if (batch.state == WatchState::TooSlow || batch.state == WatchState::Expired) break;
          if (rng() % 10 == 0) watcher->cancel();
        }
        check_stream(seen, prefix, after, 0, false);
        if (rng() % 4 == 0) {
          watcher->on_ready(nullptr);  // parked watchers outlive this iteration's counter
          parked.push_back(std::move(watcher));
        }
        if (parked.size() > 8) parked.erase(parked.begin(), parked.begin() + 4);
        ++churned;
      }
    }));
  }

  ASSERT_EQ(writer.wait_for(120s), std::future_status::ready);
  writer.get();
  for (auto& c : churners) {
    ASSERT_EQ(c.wait_for(120s), std::future_status::ready);
    c.get();
  }
  for (int i = 0; i < kSteadyWatchers; ++i) {
    ASSERT_EQ(readers[i].wait_for(120s), std::future_status::ready);
    check_stream(readers[i].get(), i % kPrefixes, 0, kEvents, true);
  }
  EXPECT_GT(churned.load(), 0);
  EXPECT_EQ(bus.head_revision(), kEvents);
  steady.clear();
  EXPECT_EQ(bus.watcher_count(), 0u);
}

TEST(WatchStress, WatchersDestroyedWhilePublishing) {
  HistoryWatchBus bus(0, 1000);
  std::atomic<bool> churning{true};
  auto writer = std::async(std::launch::async, [&] {
    for (int64_t r = 1; churning; r += 4) publish_range(bus, r, r + 3, "/a", 4);
  });
  for (int i = 0; i < 2000; ++i) {
    std::atomic<int> calls{0};  // outlives the watcher, whose callback counts into it
    auto watcher = bus.watch(on("/a").lag(50));
    watcher->on_ready([&calls] { ++calls; });
    watcher->poll();
    // Destroyed on another thread, while the writer may be firing its callback.
    std::async(std::launch::async, [w = std::move(watcher)]() mutable { w.reset(); }).get();
  }
  churning = false;
  ASSERT_EQ(writer.wait_for(60s), std::future_status::ready);
  writer.get();
  EXPECT_EQ(bus.watcher_count(), 0u);
}

}  // namespace
}  // namespace ukube::watch
