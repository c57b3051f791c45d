#include "ukube/node/exec_sync.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "ukube/node/spawn.h"
#include "ukube/runtime/driver.h"

namespace ukube::runtime::node {

namespace {

// The command's two output pipes, parent ends.
struct ExecPipes {
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  ~ExecPipes() {
    for (int fd : {out[0], out[1], err[0], err[1]})
      if (fd >= 0) ::close(fd);
  }
};

int open_pidfd(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

}  // namespace

ExecSyncResult run_exec_sync(const ExecTarget& target, const std::vector<std::string>& cmd,
                             std::chrono::seconds timeout) {
  SpawnOptions options;
  options.argv = resolve_exec_command(target, cmd);
  options.env = target.env;
  options.working_dir = target.working_dir;
  options.group = SpawnOptions::Group::NewGroup;  // so a timeout kills what it started, too
  ExecPipes pipes;
  if (::pipe2(pipes.out, O_CLOEXEC) != 0 || ::pipe2(pipes.err, O_CLOEXEC) != 0)
    throw RuntimeError(RuntimeError::Code::Internal,
                       std::string("runtime: exec: cannot create pipes: ") + std::strerror(errno));
  options.stdout_fd = pipes.out[1];
  options.stderr_fd = pipes.err[1];
  pid_t pid = 0;
  try {
    pid = spawn_process(options);
  } catch (const std::system_error& e) {
    throw RuntimeError(RuntimeError::Code::FailedPrecondition, std::string("runtime: exec: ") + e.what());
  }
  ::close(pipes.out[1]);
  ::close(pipes.err[1]);
  pipes.out[1] = pipes.err[1] = -1;
  int pidfd = open_pidfd(pid);

  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (timeout.count() > 0) deadline = std::chrono::steady_clock::now() + timeout;
  ExecSyncResult result;
  std::string* sinks[2] = {&result.stdout_, &result.stderr_};
  int* read_ends[2] = {&pipes.out[0], &pipes.err[0]};
  bool exited = false;
  int status = 0;
  char buffer[65536];
  while (!exited || *read_ends[0] >= 0 || *read_ends[1] >= 0) {
    int timeout_ms = -1;
    if (deadline) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        if (pidfd >= 0) ::close(pidfd);
        throw RuntimeError(RuntimeError::Code::DeadlineExceeded,
                           "runtime: exec of \"" + cmd.front() + "\" did not finish within " +
                               std::to_string(timeout.count()) + " s; it was killed");
      }
      timeout_ms = static_cast<int>(left.count());
    }
    // Without a pidfd (kernel before 5.3), a short poll notices the exit.
    if (pidfd < 0 && !exited) timeout_ms = timeout_ms < 0 ? 50 : std::min(timeout_ms, 50);
    pollfd fds[3] = {
        {*read_ends[0], POLLIN, 0}, {*read_ends[1], POLLIN, 0}, {exited ? -1 : pidfd, POLLIN, 0}};
    if (::poll(fds, 3, timeout_ms) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (*read_ends[i] < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(*read_ends[i], buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(*read_ends[i]);
        *read_ends[i] = -1;
      } else if (sinks[i]->size() < kMaxExecOutputBytes) {
        sinks[i]->append(buffer, std::min(static_cast<size_t>(n), kMaxExecOutputBytes - sinks[i]->size()));
      }
    }
    if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) exited = true;
  }
  if (pidfd >= 0) ::close(pidfd);
  if (!exited) ::waitpid(pid, &status, 0);
  result.exit_code = exit_code_from_wait_status(status);
  return result;
}

}  // namespace ukube::runtime::node
