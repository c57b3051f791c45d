#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

// Volumes for containers that are host processes: with root, a container gets a private
// mount namespace in which each volume is bind-mounted at its path (the path is created on
// the host when missing, as an empty folder or file to mount over). Without root there is
// no private namespace, and volumes are not visible to the container.
namespace ukube::runtime::node {

struct BindMount {
  std::string source;  // on the host
  std::string target;  // where the container sees it
  bool readonly = false;
};

// Whether this process may make mount namespaces (it runs as root).
bool can_mount();

// Moves the calling process into a new mount namespace, private from the host's, and
// bind-mounts every mount there. Throws std::runtime_error naming the mount that failed.
void enter_private_mounts(const std::vector<BindMount>& mounts);

// The command that runs `argv` inside process `pid`'s mount namespace (nsenter).
std::vector<std::string> in_mount_namespace_of(pid_t pid, std::vector<std::string> argv);

}  // namespace ukube::runtime::node
