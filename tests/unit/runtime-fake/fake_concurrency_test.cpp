// Many threads on one fake node with the real timer thread: every call is thread-safe, and
// every container's Created and Deleted events arrive exactly once. Asserts on counts only.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "fake_runtime.h"

namespace ukube::runtime::fake {
namespace {

class EventTally {
 public:
  void count(const ContainerEvent& event) {
    std::lock_guard lock(mutex_);
    ++by_type_[static_cast<int>(event.type)];
    changed_.notify_all();
  }
  int of(ContainerEventType type) {
    std::lock_guard lock(mutex_);
    return by_type_[static_cast<int>(type)];
  }
  bool wait_for(ContainerEventType type, int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(30),
                             [&] { return by_type_[static_cast<int>(type)] >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int by_type_[4] = {};
};

TEST(FakeConcurrency, ThreadsSharingANodeLeaveNothingBehindAndLoseNoEvent) {
  constexpr int kThreads = 4;
  constexpr int kPodsPerThread = 100;
  FakeRuntimeConfig config;
  auto& images = *config.mutable_images();
  images["quick"].set_start_delay_ms(1);
  images["quick"].set_exit_after_ms(3);
  images["steady"].set_cpu_nanocores(1000);
  auto runtime = std::make_unique<FakeRuntime>(config);
  auto driver = runtime->fake_driver_for_node("busy-node");
  EventTally tally;
  const uint64_t subscription = driver->subscribe([&](const ContainerEvent& e) { tally.count(e); });

  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPodsPerThread; ++i) {
        try {
          PodSandboxConfig sandbox;
          sandbox.metadata = {"pod-" + std::to_string(t) + "-" + std::to_string(i), "uid", "default", 0};
          const std::string sandbox_id = driver->run_pod_sandbox(sandbox);
          ContainerConfig quick;
          quick.metadata = {"quick", 0};
          quick.image = "quick";
          ContainerConfig steady;
          steady.metadata = {"steady", 0};
          steady.image = "steady";
          const std::string quick_id = driver->create_container(sandbox_id, quick, sandbox);
          const std::string steady_id = driver->create_container(sandbox_id, steady, sandbox);
          driver->start_container(quick_id);
          driver->start_container(steady_id);
          driver->list_containers({});
          driver->list_container_stats({});
          driver->exec_sync(steady_id, {"true"}, std::chrono::seconds(1));
          if (i % 2 == 0) driver->stop_container(steady_id, std::chrono::seconds(1));
          driver->remove_pod_sandbox(sandbox_id);
        } catch (const std::exception& e) {
          ADD_FAILURE() << e.what();
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);

  constexpr int kContainers = kThreads * kPodsPerThread * 2;
  EXPECT_EQ(driver->sandbox_count(), 0u);
  EXPECT_EQ(driver->container_count(), 0u);
  EXPECT_EQ(runtime->ips().in_use(), 0u);
  ASSERT_TRUE(tally.wait_for(ContainerEventType::Deleted, kContainers));
  EXPECT_EQ(tally.of(ContainerEventType::Created), kContainers);
  EXPECT_EQ(tally.of(ContainerEventType::Deleted), kContainers);
  // Every container that ran was stopped before its removal; one killed while waiting for
  // its start delay stops without having started.
  EXPECT_LE(tally.of(ContainerEventType::Started), tally.of(ContainerEventType::Stopped));
  EXPECT_LE(tally.of(ContainerEventType::Stopped), kContainers);
  driver->unsubscribe(subscription);
}

}  // namespace
}  // namespace ukube::runtime::fake
