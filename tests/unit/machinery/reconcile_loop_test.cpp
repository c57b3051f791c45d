// The reconcile loop: level-triggered keys, one worker per key at a time, and workers that
// join only when keys wait.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "tests/support/eventually.h"
#include "ukube/controller/reconcile_loop.h"

namespace ukube::controller {
namespace {

using namespace std::chrono_literals;
using ukube::testing::eventually;

LoopSettings settings(unsigned workers) {
  LoopSettings s;
  s.name = "test";
  s.workers = workers;
  return s;
}

TEST(ReconcileLoop, OneKeyAtATimeNeedsOneThread) {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  int reconciled = 0;
  ReconcileLoop loop(
      settings(5),
      [&](const std::string&) {
        std::lock_guard lock(mutex);
        threads.insert(std::this_thread::get_id());
        ++reconciled;
        return Result::done();
      },
      nullptr);
  loop.start();
  for (int i = 0; i < 20; ++i) {
    loop.add("ns/k" + std::to_string(i));
    ASSERT_TRUE(eventually([&] { return loop.idle(); }, 5s));
  }
  std::lock_guard lock(mutex);
  EXPECT_EQ(reconciled, 20);
  EXPECT_EQ(threads.size(), 1u);
}

// An idle controller holds no thread: its worker leaves after `linger`, stays while a key
// waits for its time, and a new key brings one back.
TEST(ReconcileLoop, WorkersLeaveWhenIdleAndComeBackForKeys) {
  std::mutex mutex;
  std::multiset<std::string> reconciled;
  bool failed_once = false;
  LoopSettings s = settings(2);
  s.linger = 20ms;
  ReconcileLoop loop(
      s,
      [&](const std::string& key) {
        std::lock_guard lock(mutex);
        reconciled.insert(key);
        if (key == "ns/flaky" && !failed_once) {
          failed_once = true;
          return Result::retry();
        }
        return Result::done();
      },
      nullptr);
  auto count = [&](const std::string& key) {
    std::lock_guard lock(mutex);
    return reconciled.count(key);
  };
  loop.add("ns/early");
  EXPECT_EQ(loop.active_workers(), 0u) << "nothing runs before start()";
  loop.start();
  ASSERT_TRUE(eventually([&] { return count("ns/early") == 1; }, 5s));
  ASSERT_TRUE(eventually([&] { return loop.active_workers() == 0; }, 5s));

  loop.add_after("ns/late", 300ms);  // due long after a worker would have left
  loop.add("ns/flaky");              // retried after its back-off
  ASSERT_TRUE(eventually([&] { return count("ns/late") == 1 && count("ns/flaky") == 2; }, 5s));
  EXPECT_TRUE(loop.idle());
  ASSERT_TRUE(eventually([&] { return loop.active_workers() == 0; }, 5s));

  loop.add("ns/again");
  ASSERT_TRUE(eventually([&] { return count("ns/again") == 1; }, 5s));
  loop.stop();
  EXPECT_EQ(loop.active_workers(), 0u);
}

TEST(ReconcileLoop, WaitingKeysBringInWorkersUpToTheLimit) {
  std::mutex mutex;
  std::condition_variable changed;
  int running = 0, most = 0;
  bool release = false;
  ReconcileLoop loop(
      settings(3),
      [&](const std::string&) {
        std::unique_lock lock(mutex);
        most = std::max(most, ++running);
        changed.notify_all();
        changed.wait_for(lock, 10s, [&] { return release; });
        --running;
        return Result::done();
      },
      nullptr);
  loop.start();
  for (int i = 0; i < 6; ++i) loop.add("ns/k" + std::to_string(i));
  {
    std::unique_lock lock(mutex);
    EXPECT_TRUE(changed.wait_for(lock, 10s, [&] { return running == 3; }));
    release = true;
    changed.notify_all();
  }
  ASSERT_TRUE(eventually([&] { return loop.idle(); }, 10s));
  loop.stop();
  std::lock_guard lock(mutex);
  EXPECT_EQ(most, 3);  // never more than `workers`
}

TEST(ReconcileLoop, AKeyAddedWhileReconciledIsReconciledAgainNeverConcurrently) {
  std::mutex mutex;
  std::condition_variable changed;
  int calls = 0, running = 0, overlap = 0;
  bool entered = false, release = false;
  ReconcileLoop loop(
      settings(4),
      [&](const std::string&) {
        std::unique_lock lock(mutex);
        if (++running > 1) ++overlap;
        ++calls;
        entered = true;
        changed.notify_all();
        if (calls == 1) changed.wait_for(lock, 10s, [&] { return release; });
        --running;
        return Result::done();
      },
      nullptr);
  loop.start();
  loop.add("ns/a");
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 10s, [&] { return entered; }));
  }
  loop.add("ns/a");  // while the first reconcile is still running
  loop.add("ns/a");
  EXPECT_FALSE(loop.idle());
  {
    std::lock_guard lock(mutex);
    release = true;
    changed.notify_all();
  }
  ASSERT_TRUE(eventually([&] { return loop.idle(); }, 10s));
  loop.stop();
  std::lock_guard lock(mutex);
  EXPECT_EQ(calls, 2);  // the two adds fold into one more reconcile
  EXPECT_EQ(overlap, 0);
}

}  // namespace
}  // namespace ukube::controller
