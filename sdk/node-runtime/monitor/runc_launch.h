#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "ukube/node/records.h"

// How the monitor starts a container that runc runs (MonitorSpec::runc): `runc run --detach`
// with the monitor's pipes as the container's stdio (or a console socket for a terminal).
// The monitor is a child subreaper, so the container's process, orphaned when runc exits,
// becomes its child: it waits for it like any other, and nothing runc
// left behind has to drain its output.
namespace ukube::runtime::node {

struct RuncStarted {
  pid_t pid = 0;            // the container's process (its pid 1), in the host's pid namespace
  int console_master = -1;  // with a terminal: the master side runc handed over
};

// Throws std::runtime_error with runc's own error message when the container cannot start.
RuncStarted runc_run_detached(const std::filesystem::path& container_dir, const RuncLaunch& launch, bool tty,
                              int stdin_fd, int stdout_fd, int stderr_fd);

// Whether the cgroup file `oom_counter` counts an OOM kill ("oom_kill <n>" with n > 0).
bool oom_kill_recorded(const std::string& oom_counter);

}  // namespace ukube::runtime::node
