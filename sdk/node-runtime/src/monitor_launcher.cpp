#include "ukube/node/monitor_launcher.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "ukube/node/spawn.h"
#include "ukube/runtime/driver.h"

namespace ukube::runtime::node {

namespace {

constexpr const char* kMonitorName = "ukube-container-monitor";

bool is_executable_file(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

// The file this function's code was loaded from: the plugin's .so, or a test executable
// that links the plugin's objects.
std::filesystem::path this_code_location() {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&this_code_location), &info) == 0 || !info.dli_fname) return {};
  std::error_code ec;
  auto path = std::filesystem::canonical(info.dli_fname, ec);
  return ec ? std::filesystem::path(info.dli_fname) : path;
}

}  // namespace

std::filesystem::path find_helper_executable(const std::string& name) {
  auto here = this_code_location().parent_path();
  if (here.empty()) return {};
  // lib/ukube/plugins/<runtime>.so → bin/<name> (the build tree and an installed tree
  // alike); a test binary in bin/ finds it beside itself.
  for (const auto& candidate : {here / name, here.parent_path().parent_path().parent_path() / "bin" / name})
    if (is_executable_file(candidate)) return candidate;
  return {};
}

std::filesystem::path find_default_monitor() {
  return find_helper_executable(kMonitorName);
}

void check_monitor_path(const std::filesystem::path& path, const std::string& plugin) {
  if (path.empty())
    throw std::invalid_argument(plugin + ": cannot find " + kMonitorName +
                                " beside the plugin library or in <prefix>/bin; build the "
                                "ukube-container-monitor target or set monitor_path");
  if (!is_executable_file(path))
    throw std::invalid_argument(plugin + ": monitor_path " + path.string() +
                                " is not an executable file; point it at ukube-container-monitor");
}

namespace {

// Closes a descriptor on every exit path.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

// Reads the monitor's one readiness line, waiting at most until `deadline`.
std::string read_readiness_line(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string line;
  char buffer[4096];
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return line;
    pollfd pfd{fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return line;
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return line;
    line.append(buffer, static_cast<size_t>(n));
    if (auto newline = line.find('\n'); newline != std::string::npos) return line.substr(0, newline);
  }
}

}  // namespace

pid_t launch_monitor(const std::filesystem::path& monitor_path, const std::filesystem::path& container_dir,
                     std::chrono::milliseconds timeout) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw RuntimeError(
        RuntimeError::Code::Internal,
        std::string("runtime: cannot create the monitor's readiness pipe: ") + std::strerror(errno));
  FdCloser read_end{fds[0]};
  FdCloser write_end{fds[1]};

  SpawnOptions options;
  options.argv = {monitor_path.string(), container_dir.string()};
  options.env = {"PATH=" + std::string(kDefaultContainerPath)};
  options.extra_fds = {{fds[1], 3}};
  options.group = SpawnOptions::Group::NewSession;
  pid_t first = 0;
  try {
    first = spawn_process(options);
  } catch (const std::system_error& e) {
    throw RuntimeError(RuntimeError::Code::Internal,
                       std::string("runtime: ") + e.what() + "; check monitor_path in the plugin's config");
  }
  ::close(write_end.fd);
  write_end.fd = -1;
  // The monitor forks and this first process exits at once (monitor_main.cpp): collect it
  // so the daemon keeps no zombie.
  int status = 0;
  while (::waitpid(first, &status, 0) < 0 && errno == EINTR) {
  }

  std::string line = read_readiness_line(read_end.fd, std::chrono::steady_clock::now() + timeout);
  if (line.rfind("ok ", 0) == 0) return static_cast<pid_t>(std::stol(line.substr(3)));
  if (line.rfind("error ", 0) == 0)
    throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                       "runtime: the container did not start: " + line.substr(6));
  if (line.empty() && WIFEXITED(status) && WEXITSTATUS(status) != 0)
    throw RuntimeError(RuntimeError::Code::Internal,
                       "runtime: " + monitor_path.string() + " exited with status " +
                           std::to_string(WEXITSTATUS(status)) + " without a word; see " +
                           container_dir.string() + "/monitor.log");
  throw RuntimeError(RuntimeError::Code::DeadlineExceeded,
                     "runtime: the monitor of " + container_dir.string() + " did not report within " +
                         std::to_string(timeout.count()) + " ms; see its monitor.log");
}

}  // namespace ukube::runtime::node
