#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/integration/daemon_process.h"

// Runs a client-library test script (tests/integration/clients/) against a node: the
// script gets the node's kubeconfig through KUBECONFIG and reports with its exit status.
namespace ukube::testing {

#ifndef UKUBE_CLIENTS_DIR
#error "UKUBE_CLIENTS_DIR must name tests/integration/clients"
#endif

inline std::filesystem::path client_script(const std::string& name) {
  return std::filesystem::path(UKUBE_CLIENTS_DIR) / name;
}

// Where packaging/install-test-clients.sh installs the npm packages; keep the two in step.
inline std::filesystem::path npm_cache_dir() {
  if (const char* dir = std::getenv("UKUBE_TEST_CACHE"); dir && *dir)
    return std::filesystem::path(dir) / "node";
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::filesystem::path(xdg) / "ukube-test" / "node";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home ? home : "/root") / ".cache" / "ukube-test" / "node";
}

// The first `name` on PATH, or empty.
inline std::filesystem::path find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "";
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::filesystem::path candidate = std::filesystem::path(rest.substr(0, colon)) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
  }
  return {};
}

struct ScriptResult {
  int exit_code = -1;  // -1: it did not finish in time and was killed
  std::string output;  // stdout and stderr, interleaved
  std::chrono::milliseconds took{0};
};

// A child in its own process group, so that whatever it starts dies with it. The
// destructor kills the group if the child is still running.
class ScriptProcess {
 public:
  ScriptProcess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                const std::filesystem::path& log)
      : log_(log) {
    std::vector<std::string> env_storage;
    for (char** e = environ; *e; ++e) {
      std::string entry = *e;
      bool overridden = false;
      for (const auto& x : extra_env)
        overridden = overridden || entry.compare(0, x.find('=') + 1, x, 0, x.find('=') + 1) == 0;
      if (!overridden) env_storage.push_back(std::move(entry));
    }
    env_storage.insert(env_storage.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp;
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_storage = argv;
    std::vector<char*> args;
    for (auto& a : argv_storage) args.push_back(a.data());
    args.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    if (posix_spawnp(&pid_, args[0], &actions, &attr, args.data(), envp.data()) != 0) pid_ = -1;
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ScriptProcess() { kill_group(); }
  ScriptProcess(const ScriptProcess&) = delete;
  ScriptProcess& operator=(const ScriptProcess&) = delete;

  bool started() const { return pid_ > 0; }

  // The exit status, or -1 after killing the group when `timeout` passed first.
  int wait(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        // Anything the script left running in its group goes too.
        ::kill(-pid_, SIGKILL);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill_group();
    return -1;
  }

 private:
  void kill_group() {
    if (pid_ <= 0 || reaped_) return;
    ::kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    reaped_ = true;
  }

  std::filesystem::path log_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

inline ScriptResult run_script(const std::vector<std::string>& argv,
                               const std::vector<std::string>& extra_env, const std::filesystem::path& log,
                               std::chrono::milliseconds timeout) {
  ScriptResult r;
  auto began = std::chrono::steady_clock::now();
  {
    ScriptProcess process(argv, extra_env, log);
    if (!process.started()) {
      r.output = "could not start " + argv.front();
      return r;
    }
    r.exit_code = process.wait(timeout);
  }
  r.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
  r.output = read_file(log);
  if (r.exit_code == -1) r.output += "\n[killed after " + std::to_string(timeout.count()) + " ms]\n";
  return r;
}

// The last `lines` lines of `text`, for failure messages.
inline std::string tail(const std::string& text, size_t lines) {
  size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  for (size_t n = 0; n < lines; ++n) {
    if (pos == 0) return text;
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return text.substr(pos + 1);
}

}  // namespace ukube::testing
