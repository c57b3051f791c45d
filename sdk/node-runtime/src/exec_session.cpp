#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <mutex>
#include <thread>

#include "ukube/node/session_core.h"
#include "ukube/node/spawn.h"
#include "ukube/node/stream_sessions.h"

// kubectl exec -it: a command run in the container's cwd and environment, with pipes or a
// terminal, its output passed to the callbacks by one thread per session.
namespace ukube::runtime::node {

using streaming::close_fd;
using streaming::SessionCore;
using streaming::write_all_without_sigpipe;

namespace {

// After an exec'd process exits, its output is read until the pipes close, at most this
// long (a background child of it may keep them open).
constexpr auto kSessionDrainAfterExit = std::chrono::seconds(2);

struct ExecCore : SessionCore {
  pid_t pid = 0;
  int pidfd = -1;
  int stdin_fd = -1;  // pipe write end, or the terminal's master
  int out_fd = -1;    // pipe read end, or the terminal's master (dup)
  int err_fd = -1;    // -1 with a terminal
  bool tty = false;
  std::mutex stdin_mutex;
  ~ExecCore() {
    close_fd(pidfd);
    close_fd(stdin_fd);
    close_fd(out_fd);
    close_fd(err_fd);
  }

  void run() {
    bool exited = false;
    int status = 0;
    std::chrono::steady_clock::time_point drain_deadline;
    char buffer[65536];
    int* outputs[2] = {&out_fd, &err_fd};
    for (;;) {
      if (exited && ((out_fd < 0 && err_fd < 0) || std::chrono::steady_clock::now() >= drain_deadline)) break;
      int timeout_ms = exited || pidfd < 0 ? 50 : -1;
      pollfd fds[4] = {
          {out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {exited ? -1 : pidfd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
      if (::poll(fds, 4, timeout_ms) < 0 && errno != EINTR) break;
      if (fds[3].revents & POLLIN) {
        uint64_t count;
        [[maybe_unused]] ssize_t n = ::read(stop_fd, &count, sizeof count);
        if (!exited) ::kill(-pid, SIGKILL);  // once reaped, the pid may be another's
      }
      for (int i = 0; i < 2; ++i) {
        if (*outputs[i] < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = ::read(*outputs[i], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        // A terminal's master reads EIO once every slave descriptor is closed.
        if (n <= 0) {
          close_fd(*outputs[i]);
        } else {
          emit(i == 1, std::string_view(buffer, static_cast<size_t>(n)));
        }
      }
      if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        drain_deadline = std::chrono::steady_clock::now() + kSessionDrainAfterExit;
      }
    }
    if (!exited) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
    emit_exit(exit_code_from_wait_status(status));
  }
};

class ExecSession final : public StreamSession {
 public:
  explicit ExecSession(std::shared_ptr<ExecCore> core) : core_(std::move(core)) {
    thread_ = std::thread([core = core_] { core->run(); });
  }
  ~ExecSession() override { finish_session_thread(thread_, *core_); }

  void write_stdin(std::string_view data) override {
    std::lock_guard lock(core_->stdin_mutex);
    if (core_->stdin_fd < 0)
      throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                         "runtime: exec: stdin is closed (or was not asked for)");
    if (!write_all_without_sigpipe(core_->stdin_fd, data))
      throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                         "runtime: exec: the process no longer reads its stdin");
  }
  void close_stdin() override {
    std::lock_guard lock(core_->stdin_mutex);
    if (core_->stdin_fd < 0) return;
    if (core_->tty) {
      // A terminal has no end-of-file of its own: ^D says it to the line discipline.
      write_all_without_sigpipe(core_->stdin_fd, "\x04");
    }
    close_fd(core_->stdin_fd);
  }
  void resize(uint16_t columns, uint16_t rows) override {
    std::lock_guard lock(core_->stdin_mutex);
    if (!core_->tty || core_->out_fd < 0) return;
    winsize size{};
    size.ws_col = columns;
    size.ws_row = rows;
    ::ioctl(core_->out_fd, TIOCSWINSZ, &size);
  }

 private:
  std::shared_ptr<ExecCore> core_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<StreamSession> start_exec_session(const ExecTarget& target, const StreamRequest& request,
                                                  StreamCallbacks callbacks) {
  auto core = std::make_shared<ExecCore>();
  core->callbacks = std::move(callbacks);
  core->tty = request.tty;
  SpawnOptions options;
  options.argv = resolve_exec_command(target, request.cmd, request.tty);
  options.env = target.env;
  options.working_dir = target.working_dir;
  int child_ends[3] = {-1, -1, -1};
  auto close_child_ends = [&] {
    for (int& fd : child_ends) close_fd(fd);
  };
  if (request.tty) {
    int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) streaming::throw_session_error("exec: cannot open a terminal");
    core->out_fd = master;  // closed with the core on every error below
    char name[128];
    if (::grantpt(master) != 0 || ::unlockpt(master) != 0 || ::ptsname_r(master, name, sizeof name) != 0)
      streaming::throw_session_error("exec: cannot set up the terminal");
    core->stdin_fd = ::fcntl(master, F_DUPFD_CLOEXEC, 0);
    options.controlling_tty = name;
    options.group = SpawnOptions::Group::NewSession;
    if (!request.stdin_) close_fd(core->stdin_fd);
  } else {
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
      streaming::throw_session_error("exec: cannot create pipes");
    child_ends[0] = in[0];
    child_ends[1] = out[1];
    child_ends[2] = err[1];
    core->stdin_fd = in[1];
    core->out_fd = out[0];
    core->err_fd = err[0];
    if (!request.stdin_) {
      close_fd(core->stdin_fd);
      close_fd(child_ends[0]);  // the command reads /dev/null
    }
    options.stdin_fd = child_ends[0];
    options.stdout_fd = request.stdout_ ? child_ends[1] : -1;
    options.stderr_fd = request.stderr_ ? child_ends[2] : -1;
    options.group = SpawnOptions::Group::NewGroup;
  }
  try {
    core->pid = spawn_process(options);
  } catch (const std::system_error& e) {
    close_child_ends();
    throw RuntimeError(RuntimeError::Code::FailedPrecondition, std::string("runtime: exec: ") + e.what());
  }
  close_child_ends();
  core->pidfd = static_cast<int>(::syscall(SYS_pidfd_open, core->pid, 0));
  return std::make_unique<ExecSession>(std::move(core));
}

}  // namespace ukube::runtime::node
