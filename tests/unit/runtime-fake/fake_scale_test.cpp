// The fake holds thousands of pods cheaply: no thread and no queued work per pod. Asserts on
// counts, never on time.
#include <gtest/gtest.h>

#include "fake_test_support.h"

namespace ukube::runtime::fake::testing {
namespace {

TEST(FakeScale, TenThousandPodsComeAndGoWithNoWorkLeftBehind) {
  constexpr int kPods = 10'000;
  FakeOnManualClock fake;
  std::vector<std::string> sandboxes;
  sandboxes.reserve(kPods);
  for (int i = 0; i < kPods; ++i) {
    PodSandboxConfig sandbox = fake.sandbox_config("pod-" + std::to_string(i));
    sandbox.log_directory.clear();  // no log path: nothing on disk
    const std::string sandbox_id = fake.driver->run_pod_sandbox(sandbox);
    ContainerConfig container;
    container.metadata = {"app", 0};
    container.image = "registry.local/app:1.0";
    const std::string id = fake.driver->create_container(sandbox_id, container, sandbox);
    fake.driver->start_container(id);
    sandboxes.push_back(sandbox_id);
  }
  EXPECT_EQ(fake.driver->sandbox_count(), static_cast<size_t>(kPods));
  EXPECT_EQ(fake.driver->container_count(), static_cast<size_t>(kPods));
  EXPECT_EQ(fake.runtime->ips().in_use(), static_cast<size_t>(kPods)) << "each pod its own IP";
  EXPECT_EQ(fake.clock->pending(), 0u) << "pods that just run need no scheduled work";

  ContainerFilter running;
  running.state = ContainerState::Running;
  EXPECT_EQ(fake.driver->list_containers(running).size(), static_cast<size_t>(kPods));
  ContainerFilter one_pod;
  one_pod.pod_sandbox_id = sandboxes[4242];
  EXPECT_EQ(fake.driver->list_containers(one_pod).size(), 1u);

  for (const auto& id : sandboxes) {
    fake.driver->stop_pod_sandbox(id);
    fake.driver->remove_pod_sandbox(id);
  }
  EXPECT_EQ(fake.driver->sandbox_count(), 0u);
  EXPECT_EQ(fake.driver->container_count(), 0u);
  EXPECT_EQ(fake.runtime->ips().in_use(), 0u);
  EXPECT_EQ(fake.clock->pending(), 0u);
}

}  // namespace
}  // namespace ukube::runtime::fake::testing
