#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "image_resolver.h"
#include "settings.h"
#include "ukube/node/monitored_driver.h"

// The process runtime's driver: containers are host processes, each under its own monitor
// (ukube-container-monitor), sandboxes are plain records sharing the host's network.
// Records, monitors, stop, exec and attach are the shared MonitoredDriver's
// (sdk/node-runtime); this adds images as host executables and no isolation.
//
// Stop: the container leads its own session, so the driver signals its whole process group.
namespace ukube::runtime::process {

using namespace ukube::runtime::node;

class ProcessDriver final : public MonitoredDriver {
 public:
  // Throws std::system_error when the state folder cannot be made.
  ProcessDriver(ProcessRuntimeSettings settings, std::filesystem::path state_dir,
                std::shared_ptr<spdlog::logger> logger = nullptr);
  ~ProcessDriver() override;

  RuntimeStatus status() override;

  std::string pull_image(const std::string& image, const AuthConfig& auth = {}) override;
  std::vector<Image> list_images() override;
  std::optional<Image> image_status(const std::string& image) override;
  void remove_image(const std::string& image) override;

 protected:
  void complete_sandbox_status(const SandboxRecord& record, PodSandboxStatus& status) const override;
  PreparedContainer prepare_container(const ContainerRecord& record, const SandboxRecord& sandbox,
                                      const PodSandboxConfig& pod) override;
  void signal_container(const StartRecord& start, int signal) override;
  ExecTarget exec_target_of(const ContainerRecord& record, const MonitorSpec& spec,
                            const StartRecord& start) const override;
  void fill_stats(const ContainerRecord& record, const StartRecord& start,
                  ContainerStats& stats) const override;

 private:
  MonitorSpec monitor_spec_for(const ContainerConfig& config, const PodSandboxConfig& sandbox,
                               const std::string& entrypoint, const std::string& log_path) const;

  ProcessRuntimeSettings settings_;
  ImageResolver resolver_;
  std::atomic<bool> warned_mounts_{false};
  std::mutex images_mutex_;  // read-modify-write of image records
};

}  // namespace ukube::runtime::process
