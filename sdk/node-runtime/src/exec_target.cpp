#include "ukube/node/exec_target.h"

#include "ukube/node/mount_namespace.h"
#include "ukube/node/spawn.h"
#include "ukube/runtime/driver.h"

namespace ukube::runtime::node {

std::vector<std::string> resolve_exec_command(const ExecTarget& target, const std::vector<std::string>& cmd,
                                              bool tty) {
  if (cmd.empty() || cmd.front().empty())
    throw RuntimeError(RuntimeError::Code::InvalidArgument, "runtime: exec needs a command");
  if (target.in_container) return target.in_container(cmd, tty);
  std::string path_list = env_value(target.env, "PATH").value_or(kDefaultContainerPath);
  auto executable = find_executable(cmd.front(), path_list);
  if (!executable)
    throw RuntimeError(RuntimeError::Code::NotFound, "runtime: exec: executable \"" + cmd.front() +
                                                         "\" not found in the container's PATH (" +
                                                         path_list + ")");
  std::vector<std::string> resolved = cmd;
  resolved.front() = *executable;
  if (target.mount_namespace_pid > 0)
    return in_mount_namespace_of(target.mount_namespace_pid, std::move(resolved));
  return resolved;
}

}  // namespace ukube::runtime::node
