#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/records.h"
#include "event_hub.h"
#include "exec_target.h"
#include "image_resolver.h"
#include "settings.h"
#include "state_store.h"
#include "ukube/runtime/driver.h"

namespace spdlog {
class logger;
}

// The process runtime's driver: containers are host processes, each under its own monitor
// (ukube-container-monitor), sandboxes are plain records sharing the host's network.
//
// State: everything lives in files under the state folder (state_store.h, records.h) and is
// read back on every call, so a driver created on the folder of a previous one (a restarted
// daemon) lists the same sandboxes and containers; a container that exited meanwhile is
// Exited with the code its monitor recorded.
//
// Stop: the driver signals the container's process group itself (the container leads its
// own session, so its pid is the group's id), SIGTERM then SIGKILL after the timeout, and
// waits for the monitor's exit record. The monitor only forwards signals sent to it.
namespace ukube::runtime::process {

class ProcessDriver final : public RuntimeDriver {
 public:
  // Throws std::system_error when the state folder cannot be made.
  ProcessDriver(ProcessRuntimeSettings settings, std::filesystem::path state_dir,
                std::shared_ptr<spdlog::logger> logger = nullptr);
  ~ProcessDriver() override;

  VersionInfo version() override;
  RuntimeStatus status() override;

  std::string run_pod_sandbox(const PodSandboxConfig& config) override;
  void stop_pod_sandbox(const std::string& sandbox_id) override;
  void remove_pod_sandbox(const std::string& sandbox_id) override;
  PodSandboxStatus pod_sandbox_status(const std::string& sandbox_id) override;
  std::vector<PodSandboxStatus> list_pod_sandboxes(const PodSandboxFilter& filter = {}) override;

  std::string create_container(const std::string& sandbox_id, const ContainerConfig& config,
                               const PodSandboxConfig& sandbox_config) override;
  void start_container(const std::string& container_id) override;
  void stop_container(const std::string& container_id, std::chrono::seconds timeout) override;
  void remove_container(const std::string& container_id) override;
  ContainerStatus container_status(const std::string& container_id) override;
  std::vector<ContainerStatus> list_containers(const ContainerFilter& filter = {}) override;
  std::vector<ContainerStats> list_container_stats(const ContainerFilter& filter = {}) override;

  ExecSyncResult exec_sync(const std::string& container_id, const std::vector<std::string>& cmd,
                           std::chrono::seconds timeout) override;
  std::unique_ptr<StreamSession> exec(const StreamRequest& request, StreamCallbacks callbacks) override;
  std::unique_ptr<StreamSession> attach(const StreamRequest& request, StreamCallbacks callbacks) override;

  std::string pull_image(const std::string& image, const AuthConfig& auth = {}) override;
  std::vector<Image> list_images() override;
  std::optional<Image> image_status(const std::string& image) override;
  void remove_image(const std::string& image) override;

  uint64_t subscribe(ContainerEventHandler handler) override;
  void unsubscribe(uint64_t subscription) override;

 private:
  // A container as its files describe it right now.
  struct Observed {
    ContainerState state = ContainerState::Unknown;
    std::optional<StartRecord> start;
    std::optional<ExitRecord> exit;
  };
  Observed observe(const std::string& container_id) const;
  ContainerStatus status_of(const ContainerRecord& record) const;
  ContainerRecord require_container(const std::string& container_id) const;
  ExecTarget running_exec_target(const std::string& container_id, const char* call) const;
  void stop_locked(const ContainerRecord& record, std::chrono::seconds timeout);
  std::shared_ptr<std::mutex> container_lock(const std::string& container_id);
  MonitorSpec monitor_spec_for(const ContainerConfig& config, const PodSandboxConfig& sandbox,
                               const std::string& entrypoint, const std::string& log_path) const;

  ProcessRuntimeSettings settings_;
  StateStore store_;
  ImageResolver resolver_;
  std::shared_ptr<spdlog::logger> logger_;
  std::atomic<bool> warned_mounts_{false};

  std::mutex locks_mutex_;
  std::map<std::string, std::shared_ptr<std::mutex>> container_locks_;  // one per container in a call
  std::mutex sandboxes_mutex_;  // read-modify-write of sandbox records
  std::mutex images_mutex_;     // read-modify-write of image records

  EventHub events_;  // last: its thread stops before the rest goes
};

}  // namespace ukube::runtime::process
