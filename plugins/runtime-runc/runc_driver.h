#pragma once

#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "settings.h"
#include "ukube/images/image_store.h"
#include "ukube/node/monitored_driver.h"

// The runc runtime's driver: pods as OCI containers run by runc.
//
// A sandbox is ukube-pause in new network, IPC and UTS namespaces (loopback up, the pod's
// hostname), which the pod's containers join; a hostNetwork pod stays in the host's network
// and UTS namespaces. Each container gets a pid and mount namespace of its
// own, a root filesystem of overlayfs on the image's unpacked root, and a cgroup
// <cgroup_root>/pod<uid>/<container id> with the pod's requests and limits.
//
// Every container runs under ukube-container-monitor, which runs `runc run --detach` and
// outlives the daemon; so does the sandbox's holder (sdk/node-runtime). Records,
// stop, exec and attach are the shared MonitoredDriver's; `runc exec` runs commands inside.
namespace ukube::runtime::runc {

using namespace ukube::runtime::node;

class RuncDriver final : public MonitoredDriver {
 public:
  // Throws std::system_error when the state folder cannot be made.
  RuncDriver(RuncRuntimeSettings settings, std::filesystem::path state_dir,
             std::shared_ptr<spdlog::logger> logger = nullptr);
  ~RuncDriver() override;

  RuntimeStatus status() override;
  // Connects inside the sandbox's network namespace (its holder's), or on the host's
  // loopback for a hostNetwork pod.
  int port_forward(const std::string& sandbox_id, uint16_t port) override;

  std::string pull_image(const std::string& image, const AuthConfig& auth = {}) override;
  std::vector<Image> list_images() override;
  std::optional<Image> image_status(const std::string& image) override;
  void remove_image(const std::string& image) override;

  // One round of image garbage collection (image_gc.h) for a disk this full; returns the
  // ids of the images it removed.
  std::vector<std::string> collect_images(const DiskUsage& disk);
  const std::filesystem::path& image_store() const { return settings_.image_store; }

 protected:
  void start_sandbox(const SandboxRecord& record) override;
  void stop_sandbox(const SandboxRecord& record) override;
  void remove_sandbox(const SandboxRecord& record) override;
  void complete_sandbox_status(const SandboxRecord& record, PodSandboxStatus& status) const override;
  PreparedContainer prepare_container(const ContainerRecord& record, const SandboxRecord& sandbox,
                                      const PodSandboxConfig& pod) override;
  void cleanup_container(const ContainerRecord& record) override;
  void complete_container_status(const ContainerRecord& record, ContainerStatus& status) const override;
  void signal_container(const StartRecord& start, int signal) override;
  ExecTarget exec_target_of(const ContainerRecord& record, const MonitorSpec& spec,
                            const StartRecord& start) const override;
  void fill_stats(const ContainerRecord& record, const StartRecord& start,
                  ContainerStats& stats) const override;

 private:
  std::string pod_cgroup(const SandboxRecord& sandbox) const;
  std::string container_cgroup(const SandboxRecord& sandbox, const std::string& container_id) const;
  // The pid of the sandbox's running holder; throws FailedPrecondition when it is gone.
  pid_t holder_pid(const SandboxRecord& sandbox) const;
  // A monitor spec logging to `log_path` with the configured rotation.
  MonitorSpec logged_spec(const std::string& log_path) const;
  // runc --root <runc_root> <args>
  std::vector<std::string> runc_command(std::initializer_list<std::string> args) const;
  // Runs runc_command(args) for one of the driver's own calls (delete, ...); returns its exit code.
  int run_runc(std::initializer_list<std::string> args) const;
  // Removes `image` (name or id) unless a container uses it; throws images::StoreError.
  void remove_unused_image(const std::string& image);
  void write_pod_files(const SandboxRecord& sandbox) const;

  RuncRuntimeSettings settings_;
  images::ImageStore images_;
};

}  // namespace ukube::runtime::runc
