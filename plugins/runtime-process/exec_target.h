#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ukube::runtime::process {

// Where a command runs "in" a container, for a runtime without isolation: the container's
// working directory and environment.
struct ExecTarget {
  std::vector<std::string> env;  // KEY=VALUE
  std::string working_dir;
  pid_t mount_namespace_pid = 0;  // set: run in this process's mount namespace (the container's volumes)
};

// `cmd` with cmd[0] looked up on the target's PATH. Throws RuntimeError InvalidArgument for
// an empty command and NotFound when cmd[0] is not found.
std::vector<std::string> resolve_exec_command(const ExecTarget& target, const std::vector<std::string>& cmd);

}  // namespace ukube::runtime::process
