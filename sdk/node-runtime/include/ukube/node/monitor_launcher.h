#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

// Starting a container's monitor (ukube-container-monitor, monitor/monitor_main.cpp) and
// waiting for its word that the container process runs.
namespace ukube::runtime::node {

// Starts the monitor on `container_dir` (which holds monitor.json) and returns the
// container's pid once the monitor reports it running. Throws RuntimeError:
// FailedPrecondition with the monitor's reason when the container could not start (the
// monitor then wrote exit.json with reason StartError), DeadlineExceeded when the monitor
// said nothing within `timeout`, Internal when the monitor could not be started at all.
pid_t launch_monitor(const std::filesystem::path& monitor_path, const std::filesystem::path& container_dir,
                     std::chrono::milliseconds timeout);

// Where ukube-container-monitor is when nobody configured it: beside the library (or
// executable) this code is part of, else in <prefix>/bin for a library in
// <prefix>/lib/ukube/plugins. Empty when neither exists.
std::filesystem::path find_default_monitor();
// The same for any helper executable installed beside the monitor (ukube-pause).
std::filesystem::path find_helper_executable(const std::string& name);

// Throws std::invalid_argument, naming `plugin`, unless `path` is an executable file.
void check_monitor_path(const std::filesystem::path& path, const std::string& plugin);

}  // namespace ukube::runtime::node
