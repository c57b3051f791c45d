#pragma once

#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace ukube::testing {

// Detaches every mount point under `scope`, the deepest first.
inline void unmount_under(const std::filesystem::path& scope) {
  std::ifstream mounts("/proc/self/mounts");
  std::vector<std::string> mine;
  for (std::string device, point, rest; mounts >> device >> point && std::getline(mounts, rest);)
    if (point.rfind(scope.string(), 0) == 0) mine.push_back(point);
  for (auto it = mine.rbegin(); it != mine.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
}

}  // namespace ukube::testing
