#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ukube/node/event_hub.h"
#include "ukube/node/exec_target.h"
#include "ukube/node/records.h"
#include "ukube/node/state_store.h"
#include "ukube/runtime/driver.h"

namespace spdlog {
class logger;
}

// What every runtime whose containers run under ukube-container-monitor shares
// (runtime-process, runtime-runc): sandbox and container records on disk, a monitor per
// container, the event thread, stop with SIGTERM then SIGKILL, exec, attach, logs.
// A runtime adds how a sandbox is held, what a container's monitor runs, how a command
// runs inside it, its images and its stats, through the hooks below.
//
// State: everything lives in files under the state folder (state_store.h, records.h) and is
// read back on every call, so a driver created on the folder of a previous one (a restarted
// daemon, a swapped driver) lists the same sandboxes and containers; a container that exited
// meanwhile is Exited with the code its monitor recorded.
namespace ukube::runtime::node {

class MonitoredDriver : public RuntimeDriver {
 public:
  struct Identity {
    std::string runtime_name;     // reported by version(): "ukube-process"
    std::string runtime_version;  // "0.1.0"
    std::string plugin;           // prefixes errors: "runtime-process"
  };
  // Throws std::system_error when the state folder cannot be made.
  MonitoredDriver(Identity identity, std::filesystem::path monitor_path, std::filesystem::path state_dir,
                  std::shared_ptr<spdlog::logger> logger);
  ~MonitoredDriver() override;

  VersionInfo version() override;

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

  uint64_t subscribe(ContainerEventHandler handler) override;
  void unsubscribe(uint64_t subscription) override;

 protected:
  // What a new container's monitor runs, and the image it runs from.
  struct PreparedContainer {
    MonitorSpec spec;
    std::string image_ref;
  };

  // A sandbox's record is on disk (its folder exists) when start_sandbox runs; a throw
  // removes it again. stop_sandbox runs after its containers stopped, remove_sandbox after
  // they were removed and the sandbox stopped (also for one whose start failed half-way).
  virtual void start_sandbox(const SandboxRecord& record) { (void)record; }
  virtual void stop_sandbox(const SandboxRecord& record) { (void)record; }
  virtual void remove_sandbox(const SandboxRecord& record) { (void)record; }
  // Fills what only the runtime knows (IPs, network mode) and may lower the state to
  // NotReady when the sandbox's holder is gone.
  virtual void complete_sandbox_status(const SandboxRecord& record, PodSandboxStatus& status) const = 0;

  // The monitor spec of a new container. `record` has id, sandbox, config and log path;
  // its folder exists.
  virtual PreparedContainer prepare_container(const ContainerRecord& record, const SandboxRecord& sandbox,
                                              const PodSandboxConfig& pod) = 0;
  // After the container stopped, before its folder goes.
  virtual void cleanup_container(const ContainerRecord& record) { (void)record; }
  // Delivers a stop signal to a running container.
  virtual void signal_container(const StartRecord& start, int signal) = 0;
  // How a command runs inside a running container.
  virtual ExecTarget exec_target_of(const ContainerRecord& record, const MonitorSpec& spec,
                                    const StartRecord& start) const = 0;
  // Adds what only the runtime knows to a container's status (a termination message).
  virtual void complete_container_status(const ContainerRecord& record, ContainerStatus& status) const {
    (void)record;
    (void)status;
  }
  // Usage of a running container.
  virtual void fill_stats(const ContainerRecord& record, const StartRecord& start,
                          ContainerStats& stats) const = 0;

  // A container as its files describe it right now.
  struct Observed {
    ContainerState state = ContainerState::Unknown;
    std::optional<StartRecord> start;
    std::optional<ExitRecord> exit;
  };
  Observed observe(const std::string& container_id) const;
  // The same for a folder a monitor runs in (a container's, or a sandbox holder's).
  Observed observe_dir(const std::filesystem::path& dir) const;
  // Drops what observe_dir remembers of `dir` (its folder is going).
  void forget_records(const std::filesystem::path& dir);
  // Stops what the monitor of `dir` runs: SIGTERM, SIGKILL after `timeout` (at once for 0).
  // False when it did not end within the kill wait.
  bool stop_dir(const std::filesystem::path& dir, std::chrono::seconds timeout);
  [[noreturn]] void throw_not_found(const char* what, const std::string& id) const;
  // "<plugin>: <text>"
  std::string message(const std::string& text) const { return identity_.plugin + ": " + text; }
  // Runs `monitor_path` on `dir` (a container's or a sandbox holder's folder) and waits
  // until it reports the process running.
  void launch_in(const std::filesystem::path& dir);
  // Whether a container's record names `image_ref`.
  bool image_in_use(const std::string& image_ref) const;

  StateStore store_;
  std::shared_ptr<spdlog::logger> logger_;

 private:
  PodSandboxStatus sandbox_status_of(const SandboxRecord& record) const;
  ContainerStatus status_of(const ContainerRecord& record, const Observed& seen) const;
  // Calls `visit` for each container the filter matches, observed once.
  void for_each_matching(
      const ContainerFilter& filter,
      const std::function<void(const ContainerRecord&, const Observed&, ContainerStatus)>& visit) const;
  ContainerRecord require_container(const std::string& container_id) const;
  ExecTarget running_exec_target(const std::string& container_id, const char* call) const;
  void stop_locked(const ContainerRecord& record, std::chrono::seconds timeout);
  std::shared_ptr<std::mutex> container_lock(const std::string& container_id);

  Identity identity_;
  std::filesystem::path monitor_path_;

  std::mutex locks_mutex_;
  std::map<std::string, std::shared_ptr<std::mutex>> container_locks_;  // one per container in a call
  std::mutex sandboxes_mutex_;  // read-modify-write of sandbox records
  struct KnownRecords {
    std::optional<StartRecord> start;
    std::optional<ExitRecord> exit;
  };
  mutable std::mutex records_mutex_;
  mutable std::map<std::string, KnownRecords> records_;  // by monitor folder: records read once

  EventHub events_;  // last: its thread stops before the rest goes
};

}  // namespace ukube::runtime::node
