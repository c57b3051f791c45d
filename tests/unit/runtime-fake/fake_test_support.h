#pragma once

// A fake runtime on a manual clock, with helpers to make sandboxes and containers the way
// the kubelet does, for the fake-specific tests.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "fake_runtime.h"
#include "manual_scheduler.h"
#include "ukube/testing/temp_dir.h"

namespace ukube::runtime::fake::testing {

inline constexpr int64_t kMs = 1'000'000;

class FakeOnManualClock {
 public:
  explicit FakeOnManualClock(const FakeRuntimeConfig& config = {})
      : clock(std::make_shared<ManualScheduler>()),
        runtime(std::make_unique<FakeRuntime>(config, clock)),
        driver(runtime->fake_driver_for_node("node-a")) {}

  PodSandboxConfig sandbox_config(const std::string& name) {
    PodSandboxConfig config;
    config.metadata = {name, "uid-" + name, "default", 0};
    config.log_directory = (logs.path() / ("default_" + name)).string();
    config.labels = {{"app", name}};
    return config;
  }
  std::string run_sandbox(const std::string& name) { return driver->run_pod_sandbox(sandbox_config(name)); }

  // A container of `image` named `name` in sandbox `name`'s pod (made if needed).
  std::string create(const std::string& pod, const std::string& image, const std::string& name = "app") {
    PodSandboxFilter by_name;
    by_name.label_selector = {{"app", pod}};
    auto found = driver->list_pod_sandboxes(by_name);
    const std::string sandbox_id = found.empty() ? run_sandbox(pod) : found.front().id;
    ContainerConfig config;
    config.metadata = {name, 0};
    config.image = image;
    config.log_path = name + "/0.log";
    return driver->create_container(sandbox_id, config, sandbox_config(pod));
  }

  ContainerStatus status(const std::string& id) { return driver->container_status(id); }

  ukube::testing::TempDir logs{"fake-runtime-logs"};
  std::shared_ptr<ManualScheduler> clock;
  std::unique_ptr<FakeRuntime> runtime;
  std::shared_ptr<FakeDriver> driver;
};

}  // namespace ukube::runtime::fake::testing
