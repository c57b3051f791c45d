#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "tests/integration/daemon_process.h"
#include "tests/support/loopback_socket.h"

// A node running the API server, and real kubectl binaries pointed at it. Every kubectl
// run gets the node's admin kubeconfig and this fixture's fresh discovery cache.
namespace ukube::testing {

// A loopback port nothing listens on now, for a server a test starts to take.
inline int free_loopback_port() {
  uint16_t port = 0;
  close(bind_loopback(SOCK_STREAM, port));
  return port;
}

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr, interleaved as the command wrote them
};

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The folder with kubectl.1.27 ... kubectl.1.33 beside the `kubectl` on PATH.
inline std::filesystem::path kubectl_dir() {
  CommandResult which = run_command("readlink -f \"$(command -v kubectl)\"");
  std::string path = which.out.substr(0, which.out.find('\n'));
  return path.empty() ? std::filesystem::path() : std::filesystem::path(path).parent_path();
}

inline std::string kubectl_binary(const std::string& version) {
  auto p = kubectl_dir() / ("kubectl." + version);
  return std::filesystem::exists(p) ? p.string() : std::string();
}

// A shell command running in the background (e.g. `kubectl get -w`) with its output in a
// file; killed, with its whole process group, on destruction.
class BackgroundCommand {
 public:
  BackgroundCommand(const std::string& command, std::filesystem::path output) : output_(std::move(output)) {
    std::string script = "exec " + command + " > " + shell_quote(output_.string()) + " 2>&1";
    const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    if (posix_spawn(&pid_, argv[0], nullptr, &attr, const_cast<char**>(argv), environ) != 0) pid_ = -1;
    posix_spawnattr_destroy(&attr);
  }
  ~BackgroundCommand() { stop(); }
  BackgroundCommand(const BackgroundCommand&) = delete;
  BackgroundCommand& operator=(const BackgroundCommand&) = delete;

  void stop() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::string output() const { return read_file(output_); }

 private:
  std::filesystem::path output_;
  pid_t pid_ = -1;
};

class Node {
 public:
  // Starts `ukube` with the API server and the built-in types on a free port.
  // `apiserver_config` adds fields to the API server's flow-style config ("audit_level: Request").
  explicit Node(const std::string& extra_plugins = "", const std::string& apiserver_config = "") {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("ukube-node-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    {
      std::ofstream cfg(dir_ / "ukube.yaml");
      cfg << "data_dir: " << (dir_ / "data").string() << "\n"
          << "plugins:\n"
          << "  - uri: ukube.types.v1.builtin\n"
          << "  - uri: ukube.authenticator.v1.x509\n"
          << "  - uri: ukube.authorizer.v1.rbac\n"
          << "  - uri: ukube.apiserver.v1.apiserver\n"
          << "    config: {listen: \"127.0.0.1:0\""
          << (apiserver_config.empty() ? "" : ", " + apiserver_config) << "}\n"
          << extra_plugins;
    }
    start_daemon();
    ready_ = eventually([&] { return std::filesystem::exists(kubeconfig()); }, std::chrono::seconds(30));
  }
  // Kills the daemon as a power cut or `kill -9` would, leaving its data dir as it is.
  void kill_daemon() { daemon_.reset(); }
  // Starts it again on the same config and data (its log goes on in daemon.log.<n>).
  void start_daemon() {
    const auto log = starts_ == 0 ? dir_ / "daemon.log" : dir_ / ("daemon.log." + std::to_string(starts_));
    ++starts_;
    daemon_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--config", (dir_ / "ukube.yaml").string()}, log);
  }
  ~Node() {
    daemon_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  bool ready() const { return ready_; }
  std::filesystem::path kubeconfig() const { return dir_ / "data" / "admin.kubeconfig"; }
  std::filesystem::path dir() const { return dir_; }
  std::string log() const { return daemon_ ? daemon_->log() : std::string(); }
  DaemonProcess& daemon() { return *daemon_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  int starts_ = 0;
  bool ready_ = false;
};

class Kubectl {
 public:
  // `kubeconfig`: whose credentials to use; the node's admin kubeconfig by default.
  Kubectl(std::string binary, const Node& node, const std::filesystem::path& kubeconfig = {})
      : binary_(std::move(binary)),
        kubeconfig_(kubeconfig.empty() ? node.kubeconfig().string() : kubeconfig.string()),
        cache_(node.dir() / ("cache-" + std::to_string(counter()++))) {}

  // Runs `kubectl <args>`; `args` is shell text (quote what needs quoting).
  CommandResult operator()(const std::string& args, const std::string& stdin_text = "") const {
    std::string cmd = binary_ + " --kubeconfig " + shell_quote(kubeconfig_) + " --cache-dir " +
                      shell_quote(cache_.string()) + " " + args;
    if (!stdin_text.empty()) {
      auto file = cache_.parent_path() / ("stdin-" + std::to_string(counter()++) + ".yaml");
      std::ofstream(file) << stdin_text;
      cmd += " < " + shell_quote(file.string());
    }
    return run_command(cmd);
  }
  // The shell command prefix, for tests that run kubectl in the background.
  std::string command(const std::string& args) const {
    return binary_ + " --kubeconfig " + shell_quote(kubeconfig_) + " --cache-dir " +
           shell_quote(cache_.string()) + " " + args;
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::string binary_;
  std::string kubeconfig_;
  std::filesystem::path cache_;
};

// `kubectl port-forward <args>` in the background until destroyed (it runs until killed),
// with the local port it listens on once it printed "Forwarding from 127.0.0.1:<port> -> <remote>".
class PortForwardCommand {
 public:
  PortForwardCommand(const Kubectl& kubectl, const std::string& args, std::filesystem::path output)
      : command_(kubectl.command("port-forward " + args), fresh(std::move(output))) {}

  // 0 when it printed no such line within 30 s (output() then says why).
  int local_port() const {
    int port = 0;
    eventually(
        [&] {
          const std::string out = command_.output();
          constexpr std::string_view kPrefix = "Forwarding from 127.0.0.1:";
          const auto at = out.find(kPrefix);
          if (at == std::string::npos || out.find('\n', at) == std::string::npos) return false;
          port = std::atoi(out.c_str() + at + kPrefix.size());
          return true;
        },
        std::chrono::seconds(30));
    return port;
  }
  std::string output() const { return command_.output(); }
  void stop() { command_.stop(); }

 private:
  // What an earlier command left in `output` must not be read as this one's.
  static std::filesystem::path fresh(std::filesystem::path output) {
    std::error_code ignored;
    std::filesystem::remove(output, ignored);
    return output;
  }
  BackgroundCommand command_;
};

}  // namespace ukube::testing
