#pragma once

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/mounts.h"
#include "tests/support/processes.h"

// What runtime-runc leaves when a test or benchmark kills its driver or daemon: containers
// that outlive it by design, their holders, overlay root file systems and cgroups. Whoever
// started it removes them with remove_runc_leftovers once it is gone.
namespace ukube::testing {

// Debian's runc, or "" when it is not installed.
inline std::string runc_binary() {
  for (const char* candidate : {"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc"})
    if (::access(candidate, X_OK) == 0) return candidate;
  return {};
}

// Why runtime-runc cannot run here ("" when it can).
inline std::string runc_unavailable() {
  if (::geteuid() != 0) return "runtime-runc needs root (CI runs this as root)";
  if (runc_binary().empty()) return "runc is not installed (packaging/install-deps.sh installs it)";
  if (!std::filesystem::exists("/bin/busybox")) return "busybox-static is not installed";
  return {};
}

// Removes what a runc runtime left: every container in runc's state folder `runc_root`
// (runc delete --force), the processes whose command line names `scope` (the monitors, and
// the sandboxes' holders, which carry their folder as an argument), the mounts under `scope`
// (the containers' root file systems), and each of `cgroups` ("/kubepods/besteffort/pod<uid>")
// with everything below it, in every hierarchy.
inline void remove_runc_leftovers(const std::filesystem::path& scope, const std::filesystem::path& runc_root,
                                  const std::vector<std::string>& cgroups) {
  namespace fs = std::filesystem;
  const std::string runc = runc_binary() + " --root " + runc_root.string();
  std::system(
      (runc + " list -q 2>/dev/null | while read id; do " + runc + " delete --force \"$id\"; done").c_str());
  kill_processes_with(scope.string());
  unmount_under(scope);
  std::error_code ec;
  std::vector<fs::path> dirs;
  for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec))
    for (const auto& cgroup : cgroups) {
      const fs::path root = hierarchy.path() / fs::path(cgroup).relative_path();
      if (!fs::is_directory(root, ec)) continue;
      dirs.push_back(root);
      for (const auto& sub : fs::recursive_directory_iterator(root, ec))
        if (sub.is_directory(ec)) dirs.push_back(sub.path());
    }
  // Children before parents.
  std::sort(dirs.begin(), dirs.end(),
            [](const fs::path& a, const fs::path& b) { return a.string().size() > b.string().size(); });
  for (const auto& dir : dirs) ::rmdir(dir.c_str());
}

// The same for a daemon whose folder (config, data dir) is `node_dir`: the pods' cgroups its
// sandbox records name, and the QoS levels above them when they are empty.
inline void remove_node_runc_leftovers(const std::filesystem::path& node_dir) {
  namespace fs = std::filesystem;
  const fs::path state = node_dir / "data" / "plugins" / "ukube.runtime.v1.runc";
  std::vector<std::string> cgroups;
  std::error_code ec;
  for (const auto& sandbox : fs::directory_iterator(state / "sandboxes", ec)) {
    std::ifstream in(sandbox.path() / "sandbox.json");
    std::stringstream text;
    text << in.rdbuf();
    const std::string record = text.str();
    std::smatch parent;
    if (std::regex_search(record, parent, std::regex("\"cgroup_parent\":\"(/kubepods[^\"]*)\"")))
      cgroups.push_back(parent[1].str());
  }
  remove_runc_leftovers(node_dir, state / "runc", cgroups);
  for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec))
    for (const char* level : {"kubepods/burstable", "kubepods/besteffort", "kubepods"})
      ::rmdir((hierarchy.path() / level).c_str());
}

}  // namespace ukube::testing
