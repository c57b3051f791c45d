#pragma once

#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/processes.h"

// What a daemon on runtime-runc leaves when a test or benchmark kills it: containers that
// outlive it by design, their overlay root filesystems and their cgroups. Whoever started
// the daemon removes them with remove_runc_leftovers once it is gone.
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

// Removes everything the runc runtime of the daemon whose folder (config, data dir) is
// `node_dir` made: its containers (runc delete --force), monitors, mounts under the folder,
// and the pods' cgroups its sandbox records name, with the QoS levels above them when empty.
inline void remove_runc_leftovers(const std::filesystem::path& node_dir) {
  namespace fs = std::filesystem;
  const fs::path state = node_dir / "data" / "plugins" / "ukube.runtime.v1.runc";
  const std::string runc = runc_binary() + " --root " + (state / "runc").string();
  std::system(
      (runc + " list -q 2>/dev/null | while read id; do " + runc + " delete --force \"$id\"; done").c_str());
  kill_processes_with(node_dir.string());
  std::ifstream mounts("/proc/self/mounts");
  std::vector<std::string> mine;
  for (std::string device, point, rest; mounts >> device >> point && std::getline(mounts, rest);)
    if (point.rfind(node_dir.string(), 0) == 0) mine.push_back(point);
  for (auto it = mine.rbegin(); it != mine.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
  std::error_code ec;
  for (const auto& sandbox : fs::directory_iterator(state / "sandboxes", ec)) {
    std::ifstream in(sandbox.path() / "sandbox.json");
    std::stringstream text;
    text << in.rdbuf();
    const std::string record = text.str();
    std::smatch parent;
    if (!std::regex_search(record, parent, std::regex("\"cgroup_parent\":\"(/kubepods[^\"]*)\""))) continue;
    for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec))
      std::system(("find " + hierarchy.path().string() + parent[1].str() +
                   " -depth -type d -exec rmdir {} + 2>/dev/null")
                      .c_str());
  }
  for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec))
    for (const char* level : {"kubepods/burstable", "kubepods/besteffort", "kubepods"})
      ::rmdir((hierarchy.path() / level).c_str());
}

}  // namespace ukube::testing
