#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime-process/process_driver.h"
#include "runtime-process/settings.h"
#include "ukube/runtime/driver.h"
#include "ukube/testing/temp_dir.h"

// What the process runtime's tests share: settings pointing at the freshly built monitor,
// a state folder whose every process is killed when the test ends (passed or failed), and
// bounded waits.
namespace ukube::runtime::process::testing {

// The monitor built with this test (its path is a compile definition).
ProcessRuntimeSettings test_settings();

// Kills, on destruction, every container process group and monitor recorded under a state
// folder: nothing a test started outlives it, even when an assertion ended it early.
class ContainerReaper {
 public:
  explicit ContainerReaper(std::filesystem::path state_dir) : state_dir_(std::move(state_dir)) {}
  ContainerReaper(const ContainerReaper&) = delete;
  ContainerReaper& operator=(const ContainerReaper&) = delete;
  ~ContainerReaper() { kill_all(); }
  void kill_all() const;

 private:
  std::filesystem::path state_dir_;
};

// Polls `done` until it holds or `limit` passes; returns its last answer.
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds limit = std::chrono::seconds(10));

// A temporary state folder, a reaper on it and a driver.
struct DriverHarness {
  explicit DriverHarness(ProcessRuntimeSettings settings = test_settings());
  std::unique_ptr<ProcessDriver> make_driver() const;

  ProcessRuntimeSettings settings;
  ukube::testing::TempDir dir{"runtime-process"};
  std::filesystem::path state_dir = dir.path() / "state";
  std::filesystem::path logs_dir = dir.path() / "logs";
  ContainerReaper reaper{state_dir};  // after dir: runs before the folder goes
};

PodSandboxConfig pod_config(const std::string& name, const std::filesystem::path& log_directory);
// A container running `/bin/sh -c script`.
ContainerConfig shell_container(const std::string& name, const std::string& script);
// The container's log, record by record (empty when there is none).
std::vector<std::string> log_lines(const std::filesystem::path& log_path);

}  // namespace ukube::runtime::process::testing
