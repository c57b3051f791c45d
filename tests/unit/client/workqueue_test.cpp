#include "ukube/workqueue.h"

#include <gtest/gtest.h>
#include <map>
#include <mutex>
#include <thread>

namespace ukube {
namespace {

using namespace std::chrono_literals;

TEST(WorkQueue, DeduplicatesQueuedItems) {
  WorkQueue q;
  q.add("a");
  q.add("b");
  q.add("a");
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.get(1s), "a");
  EXPECT_EQ(q.get(1s), "b");
  EXPECT_EQ(q.get(50ms), std::nullopt);
}

TEST(WorkQueue, ItemAddedWhileProcessingComesBackAfterDone) {
  WorkQueue q;
  q.add("a");
  auto item = q.get(1s);
  ASSERT_EQ(item, "a");
  q.add("a");  // changed again while a worker has it
  EXPECT_EQ(q.size(), 0u) << "never handed to two workers at once";
  EXPECT_EQ(q.get(50ms), std::nullopt);
  q.done("a");
  EXPECT_EQ(q.get(1s), "a");
  q.done("a");
  EXPECT_EQ(q.get(50ms), std::nullopt);
}

TEST(WorkQueue, AddAfterWaits) {
  WorkQueue q;
  auto start = std::chrono::steady_clock::now();
  q.add_after("later", 100ms);
  q.add("now");
  EXPECT_EQ(q.get(1s), "now");
  EXPECT_EQ(q.get(2s), "later");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
}

TEST(WorkQueue, RateLimitedBackOffDoublesUntilForgotten) {
  WorkQueue q(RateLimits{std::chrono::milliseconds(20), std::chrono::milliseconds(1000), 1000, 1000});
  for (int i = 0; i < 3; ++i) {
    q.add_rate_limited("x");
    auto start = std::chrono::steady_clock::now();
    ASSERT_EQ(q.get(5s), "x");
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20 << i) - 5ms)
        << "attempt " << i;
    q.done("x");
  }
  EXPECT_EQ(q.requeues("x"), 3);
  q.forget("x");
  EXPECT_EQ(q.requeues("x"), 0);
}

TEST(WorkQueue, ShutDownReleasesBlockedWorkers) {
  WorkQueue q;
  std::optional<std::string> got = "unset";
  std::thread worker([&] { got = q.get(); });
  std::this_thread::sleep_for(50ms);
  q.shut_down();
  worker.join();
  EXPECT_EQ(got, std::nullopt);
  q.add("ignored");
  EXPECT_EQ(q.size(), 0u);
}

TEST(WorkQueue, ManyWorkersProcessEachItemOnce) {
  WorkQueue q;
  std::mutex m;
  std::map<std::string, int> seen;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&] {
      while (auto item = q.get()) {
        {
          std::lock_guard lock(m);
          ++seen[*item];
        }
        q.done(*item);
      }
    });
  for (int i = 0; i < 1000; ++i) q.add("k" + std::to_string(i));
  while (q.size() > 0) std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(50ms);
  q.shut_down();
  for (auto& t : workers) t.join();
  EXPECT_EQ(seen.size(), 1000u);
  for (auto& [k, n] : seen) EXPECT_EQ(n, 1) << k;
}

}  // namespace
}  // namespace ukube
