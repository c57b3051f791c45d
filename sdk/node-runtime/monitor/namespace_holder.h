#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "ukube/node/spawn.h"

// Starting a pod's namespace holder (MonitorSpec::holder_namespaces): the program runs in
// new namespaces of the kinds named, with loopback up in a new network namespace and the
// pod's hostname in a new UTS namespace, as an unprivileged user. A runtime's containers
// then join those namespaces through /proc/<pid>/ns. Cheaper than a container of its own:
// one fork, no runtime binary, no root filesystem.
namespace ukube::runtime::node {

// `namespaces`: "net", "ipc", "uts", "pid" (the holder is then its init). Returns the holder's pid (its own
// session's leader). Throws std::system_error saying what could not be set up.
pid_t spawn_namespace_holder(const SpawnOptions& options, const std::vector<std::string>& namespaces,
                             const std::string& hostname);

}  // namespace ukube::runtime::node
