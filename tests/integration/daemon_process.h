#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include "tests/support/eventually.h"

// Runs build/bin/ukube as a child process for integration tests; kills it on destruction
// so that no test leaves a daemon behind.
namespace ukube::testing {

inline std::filesystem::path ukube_binary() {
  return std::filesystem::canonical("/proc/self/exe").parent_path() / "ukube";
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The API server URL ("https://127.0.0.1:34567") a kubeconfig the daemon wrote names, or
// "" while it has none.
inline std::string kubeconfig_server(const std::filesystem::path& kubeconfig) {
  const std::string text = read_file(kubeconfig);
  std::smatch m;
  return std::regex_search(text, m, std::regex("server: (https?://[^\\s]+)")) ? m[1].str() : std::string();
}

class DaemonProcess {
 public:
  // Starts `ukube args...` with stdout and stderr going to `log`.
  DaemonProcess(std::vector<std::string> args, std::filesystem::path log)
      : DaemonProcess(ukube_binary(), std::move(args), std::move(log)) {}
  // Starts another program the same way (a registry a test pulls from).
  DaemonProcess(const std::filesystem::path& binary, std::vector<std::string> args, std::filesystem::path log)
      : log_(std::move(log)) {
    std::vector<std::string> argv_storage{binary.string()};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~DaemonProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  void signal(int sig) { kill(pid_, sig); }
  std::string log() const { return read_file(log_); }

  // The exit status, or -1 if it did not exit within `timeout`.
  int wait_exit(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

}  // namespace ukube::testing
