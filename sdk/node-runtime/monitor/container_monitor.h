#pragma once

#include <filesystem>

#include "ukube/node/records.h"

// The per-container monitor (ukube-container-monitor): the process that owns a container's
// stdio and outcome so the container outlives the daemon (DESIGN.md §6). See monitor_main.cpp
// for how it detaches; this is what it does once detached.
namespace ukube::runtime::node {

// Starts the container described by `spec`, reports "ok <pid>" or "error <why>" on
// `ready_fd` (closed afterwards; -1: nobody listens), copies the container's stdout and
// stderr into its CRI log until it exits, then writes exit.json into `container_dir`.
// Returns the monitor's own exit status.
int run_container_monitor(const std::filesystem::path& container_dir, const MonitorSpec& spec, int ready_fd);

// Writes one readiness line to `fd` and closes it (no-op for -1).
void report_readiness(int& fd, const std::string& line);

}  // namespace ukube::runtime::node
