#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ukube/runtime/driver.h"

namespace ukube::kubelet {

// A runtime driver that does nothing and has nothing, for tests that give a kubelet part
// a driver and override only the calls that part makes.
class InertDriver : public runtime::RuntimeDriver {
 public:
  runtime::VersionInfo version() override { return {}; }
  runtime::RuntimeStatus status() override { return {}; }
  std::string run_pod_sandbox(const runtime::PodSandboxConfig&) override { return {}; }
  void stop_pod_sandbox(const std::string&) override {}
  void remove_pod_sandbox(const std::string&) override {}
  runtime::PodSandboxStatus pod_sandbox_status(const std::string&) override { return {}; }
  std::vector<runtime::PodSandboxStatus> list_pod_sandboxes(const runtime::PodSandboxFilter&) override {
    return {};
  }
  std::string create_container(const std::string&, const runtime::ContainerConfig&,
                               const runtime::PodSandboxConfig&) override {
    return {};
  }
  void start_container(const std::string&) override {}
  void stop_container(const std::string&, std::chrono::seconds) override {}
  void remove_container(const std::string&) override {}
  runtime::ContainerStatus container_status(const std::string&) override { return {}; }
  std::vector<runtime::ContainerStatus> list_containers(const runtime::ContainerFilter&) override {
    return {};
  }
  std::vector<runtime::ContainerStats> list_container_stats(const runtime::ContainerFilter&) override {
    return {};
  }
  runtime::ExecSyncResult exec_sync(const std::string&, const std::vector<std::string>&,
                                    std::chrono::seconds) override {
    return {};
  }
  std::unique_ptr<runtime::StreamSession> exec(const runtime::StreamRequest&,
                                               runtime::StreamCallbacks) override {
    return nullptr;
  }
  std::unique_ptr<runtime::StreamSession> attach(const runtime::StreamRequest&,
                                                 runtime::StreamCallbacks) override {
    return nullptr;
  }
  std::string pull_image(const std::string&, const runtime::AuthConfig&) override { return {}; }
  std::vector<runtime::Image> list_images() override { return {}; }
  std::optional<runtime::Image> image_status(const std::string&) override { return std::nullopt; }
  void remove_image(const std::string&) override {}
  uint64_t subscribe(runtime::ContainerEventHandler) override { return 0; }
  void unsubscribe(uint64_t) override {}
};

}  // namespace ukube::kubelet
