#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace ukube::runtime::node {

// Where a command runs "in" a container.
struct ExecTarget {
  std::vector<std::string> env;  // KEY=VALUE
  std::string working_dir;
  pid_t mount_namespace_pid = 0;  // set: run in this process's mount namespace (the container's volumes)
  // Set by a runtime that isolates its containers: the host command that runs `cmd` inside
  // the container (runc exec ...), on a terminal when `tty`. Unset: `cmd` runs on the host,
  // in the working directory and environment above.
  std::function<std::vector<std::string>(const std::vector<std::string>& cmd, bool tty)> in_container;
};

// The host command that runs `cmd` in the target: `cmd` with cmd[0] looked up on the
// target's PATH, or what in_container makes of it. Throws RuntimeError InvalidArgument for
// an empty command and NotFound when cmd[0] is not found.
std::vector<std::string> resolve_exec_command(const ExecTarget& target, const std::vector<std::string>& cmd,
                                              bool tty = false);

}  // namespace ukube::runtime::node
