#pragma once

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

// Processes a test or benchmark started through the process runtime: they outlive the
// daemon by design, so whoever started them finds them by their command line and ends them.
namespace ukube::testing {

// Processes whose command line (arguments joined by spaces) contains every one of `parts`;
// read from /proc, so no shell of ours is among them.
inline std::vector<pid_t> processes_with(const std::vector<std::string>& parts) {
  std::vector<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    bool all = !cmdline.empty();
    for (const auto& part : parts) all = all && cmdline.find(part) != std::string::npos;
    if (all && std::stoi(name) != getpid()) out.push_back(std::stoi(name));
  }
  return out;
}

// Kills every process whose command line contains `marker`, with its process group (a
// container leads its own group, which takes its children along) unless that is ours.
inline void kill_processes_with(const std::string& marker) {
  for (pid_t pid : processes_with({marker})) {
    const pid_t group = getpgid(pid);
    if (group > 1 && group != getpgrp()) kill(-group, SIGKILL);
    kill(pid, SIGKILL);
  }
}

}  // namespace ukube::testing
