#include "exec_target.h"

#include "common/mount_namespace.h"
#include "common/spawn.h"
#include "ukube/runtime/driver.h"

namespace ukube::runtime::process {

std::vector<std::string> resolve_exec_command(const ExecTarget& target, const std::vector<std::string>& cmd) {
  if (cmd.empty() || cmd.front().empty())
    throw RuntimeError(RuntimeError::Code::InvalidArgument, "runtime-process: exec needs a command");
  std::string path_list = env_value(target.env, "PATH").value_or(kDefaultContainerPath);
  auto executable = find_executable(cmd.front(), path_list);
  if (!executable)
    throw RuntimeError(RuntimeError::Code::NotFound, "runtime-process: exec: executable \"" + cmd.front() +
                                                         "\" not found in the container's PATH (" +
                                                         path_list + ")");
  std::vector<std::string> resolved = cmd;
  resolved.front() = *executable;
  if (target.mount_namespace_pid > 0)
    return in_mount_namespace_of(target.mount_namespace_pid, std::move(resolved));
  return resolved;
}

}  // namespace ukube::runtime::process
