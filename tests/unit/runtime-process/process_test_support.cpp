#include "process_test_support.h"

#include <signal.h>

#include <fstream>
#include <thread>

#include "ukube/node/proc_info.h"
#include "ukube/node/records.h"

namespace ukube::runtime::process::testing {

ProcessRuntimeSettings test_settings() {
  ProcessRuntimeSettings settings;
  settings.monitor_path = UKUBE_CONTAINER_MONITOR_PATH;
  return settings;
}

void ContainerReaper::kill_all() const {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(state_dir_ / "containers", ec)) {
    std::optional<StartRecord> start;
    try {
      start = read_start_record(entry.path());
    } catch (const std::exception&) {
    }
    if (!start) continue;
    if (is_same_process_alive(start->pid, start->start_ticks)) ::kill(-start->pid, SIGKILL);
    if (is_same_process_alive(start->monitor_pid, start->monitor_start_ticks))
      ::kill(start->monitor_pid, SIGKILL);
  }
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

DriverHarness::DriverHarness(ProcessRuntimeSettings s) : settings(std::move(s)) {}

std::unique_ptr<ProcessDriver> DriverHarness::make_driver() const {
  return std::make_unique<ProcessDriver>(settings, state_dir);
}

PodSandboxConfig pod_config(const std::string& name, const std::filesystem::path& log_directory) {
  PodSandboxConfig config;
  config.metadata.name = name;
  config.metadata.namespace_ = "default";
  config.metadata.uid = name + "-uid";
  config.hostname = name;
  config.log_directory = (log_directory / name).string();
  config.labels = {{label::kPodName, name}, {label::kPodNamespace, "default"}};
  return config;
}

ContainerConfig shell_container(const std::string& name, const std::string& script) {
  ContainerConfig config;
  config.metadata.name = name;
  config.image = "sh";
  config.command = {"/bin/sh", "-c", script};
  config.log_path = name + "/0.log";
  config.labels = {{label::kContainerName, name}};
  return config;
}

std::vector<std::string> log_lines(const std::filesystem::path& log_path) {
  std::vector<std::string> lines;
  std::ifstream in(log_path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace ukube::runtime::process::testing
