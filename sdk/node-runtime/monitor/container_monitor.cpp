#include "container_monitor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>

#include "namespace_holder.h"
#include "runc_launch.h"
#include "ukube/node/cri_log.h"
#include "ukube/node/proc_info.h"
#include "ukube/node/spawn.h"

namespace ukube::runtime::node {

namespace {

// After the container's main process exits, the rest of its process group is killed and
// its output read until the pipes close, at most this long (a process that left the group
// may hold a pipe open forever).
constexpr auto kDrainAfterExit = std::chrono::seconds(2);
// How long a start may wait for the container's program to settle (wait_until_settled).
constexpr auto kSettleLimit = std::chrono::milliseconds(100);

void log_monitor_error(const std::string& message) {
  std::fprintf(stderr, "ukube-container-monitor[%d]: %s\n", static_cast<int>(::getpid()), message.c_str());
  std::fflush(stderr);
}

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void close_if_open(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Applied to the monitor itself before it starts the container, which inherits them. The
// soft limit is capped by the hard one: raising that needs privileges the daemon may lack.
void apply_rlimit(int resource, const char* name, uint64_t wanted) {
  if (wanted == 0) return;
  struct rlimit limit {};
  if (::getrlimit(resource, &limit) != 0) return;
  rlim_t soft = static_cast<rlim_t>(wanted);
  if (limit.rlim_max != RLIM_INFINITY && soft > limit.rlim_max) soft = limit.rlim_max;
  limit.rlim_cur = soft;
  if (::setrlimit(resource, &limit) != 0)
    log_monitor_error(std::string("cannot set ") + name + " to " + std::to_string(soft) + ": " +
                      std::strerror(errno));
}

// A FIFO in the container's folder, opened read-write: opening never blocks, and it never
// reads end-of-file while the monitor holds it, between two writers.
int make_fifo(const std::filesystem::path& path) {
  ::unlink(path.c_str());
  if (::mkfifo(path.c_str(), 0600) != 0) throw_errno("cannot create the FIFO " + path.string());
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) throw_errno("cannot open the FIFO " + path.string());
  return fd;
}

// posix_spawn returns once exec succeeded, before the program ran an instruction; on a
// busy machine it may not run for milliseconds. A container whose first act is to set up
// its signals (`trap '' TERM`, env --ignore-signal) would die of a stop's SIGTERM sent in
// that gap. So the start is reported once the program first waits for something (state S:
// it is up and running its own code), it exited, or kSettleLimit passed (one that never
// sleeps, a busy loop, starts no later than that).
void wait_until_settled(pid_t pid) {
  auto deadline = std::chrono::steady_clock::now() + kSettleLimit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto stat = read_proc_stat(pid);
    if (!stat || stat->state == 'S' || stat->state == 'Z' || stat->state == 'T' || stat->state == 't') return;
    ::usleep(1000);
  }
}

// One container's life, from spawn to exit record.
class ContainerMonitor {
 public:
  ContainerMonitor(std::filesystem::path container_dir, const MonitorSpec& spec)
      : dir_(std::move(container_dir)), spec_(spec) {}
  ~ContainerMonitor() {
    for (int* fd : {&signal_fd_, &output_[0], &output_[1], &stdin_fifo_, &stdin_for_container_, &terminal_,
                    &resize_fifo_})
      close_if_open(*fd);
  }

  // Spawns the container; throws with what went wrong.
  void start();
  // Copies output until the container exited (and its output ended); returns its status.
  std::optional<int> follow();
  pid_t pid() const { return pid_; }
  int64_t started_at() const { return started_at_; }

 private:
  void handle_signals(std::optional<int>& wait_status);
  void copy_output(int index, short revents);
  void forward_stdin_to_terminal();
  void apply_resizes();
  void release_stdin();

  std::filesystem::path dir_;
  const MonitorSpec& spec_;
  std::optional<CriLogWriter> log_;
  int signal_fd_ = -1;
  int output_[2] = {-1, -1};  // stdout, stderr read ends; with a terminal, [0] is its master
  int stdin_fifo_ = -1;       // what attach writes to (kept open by the monitor)
  int stdin_for_container_ = -1;
  int terminal_ = -1;     // the terminal's master, for input and resizes
  int resize_fifo_ = -1;  // "<columns> <rows>" lines
  pid_t pid_ = 0;
  int64_t started_at_ = 0;
};

void ContainerMonitor::start() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1}) sigaddset(&signals, s);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  signal_fd_ = ::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd_ < 0) throw_errno("cannot create the monitor's signalfd");

  apply_rlimit(RLIMIT_NOFILE, "RLIMIT_NOFILE", spec_.rlimit_nofile);
  apply_rlimit(RLIMIT_NPROC, "RLIMIT_NPROC", spec_.rlimit_nproc);
  apply_rlimit(RLIMIT_CORE, "RLIMIT_CORE", spec_.rlimit_core);
  log_.emplace(spec_.log_path, spec_.log_max_size_bytes, spec_.log_max_files);
  // The container inherits the monitor's mount namespace.
  if (!spec_.mounts.empty() && can_mount()) enter_private_mounts(spec_.mounts);

  SpawnOptions options;
  options.argv = spec_.argv;
  options.env = spec_.env;
  options.working_dir = spec_.working_dir;
  // Its own session and process group: stop signals the whole group, and a terminal's
  // signals (or the daemon's) never reach it.
  options.group = SpawnOptions::Group::NewSession;
  int child_ends[2] = {-1, -1};
  const bool runc = spec_.runc.active();
  if (spec_.stdin_) stdin_fifo_ = make_fifo(dir_ / files::kStdinFifo);
  if (spec_.tty && runc) {
    // runc makes the terminal inside the container and hands its master over.
    resize_fifo_ = make_fifo(dir_ / files::kTtySizeFifo);
  } else if (spec_.tty) {
    // The terminal is the container's stdin, stdout and stderr; the monitor copies the
    // stdin FIFO into it (a terminal has one input) and logs what comes out as stdout.
    terminal_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (terminal_ < 0) throw_errno("cannot open a pseudo-terminal for the container");
    char name[128];
    if (::grantpt(terminal_) != 0 || ::unlockpt(terminal_) != 0 ||
        ::ptsname_r(terminal_, name, sizeof name) != 0)
      throw_errno("cannot set up the container's pseudo-terminal");
    options.controlling_tty = name;
    output_[0] = ::fcntl(terminal_, F_DUPFD_CLOEXEC, 0);
    resize_fifo_ = make_fifo(dir_ / files::kTtySizeFifo);
  } else {
    for (int i = 0; i < 2; ++i) {
      int fds[2];
      if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("cannot create the container's output pipes");
      output_[i] = fds[0];
      child_ends[i] = fds[1];
    }
    if (spec_.stdin_) {
      // The container reads the FIFO itself; the monitor's read-write hold keeps it from
      // seeing end-of-file until the stdin is released (stdin_once).
      stdin_for_container_ = ::open((dir_ / files::kStdinFifo).c_str(), O_RDONLY | O_CLOEXEC);
      if (stdin_for_container_ < 0) throw_errno("cannot open the stdin FIFO");
    }
    options.stdin_fd = stdin_for_container_;
    options.stdout_fd = child_ends[0];
    options.stderr_fd = child_ends[1];
  }
  try {
    if (runc) {
      RuncStarted started = runc_run_detached(dir_, spec_.runc, spec_.tty, options.stdin_fd,
                                              options.stdout_fd, options.stderr_fd);
      pid_ = started.pid;
      if (started.console_master >= 0) {
        terminal_ = started.console_master;
        ::fcntl(terminal_, F_SETFL, ::fcntl(terminal_, F_GETFL) | O_NONBLOCK);
        output_[0] = ::fcntl(terminal_, F_DUPFD_CLOEXEC, 0);
      }
    } else if (!spec_.holder_namespaces.empty()) {
      pid_ = spawn_namespace_holder(options, spec_.holder_namespaces, spec_.hostname);
    } else {
      pid_ = spawn_process(options);
    }
  } catch (...) {
    for (int& fd : child_ends) close_if_open(fd);
    throw;
  }
  started_at_ = now_ns();
  for (int& fd : child_ends) close_if_open(fd);
  close_if_open(stdin_for_container_);
  wait_until_settled(pid_);
}

std::optional<int> ContainerMonitor::follow() {
  std::optional<int> wait_status;
  std::chrono::steady_clock::time_point drain_deadline;
  for (;;) {
    bool output_open = output_[0] >= 0 || output_[1] >= 0;
    if (wait_status && (!output_open || std::chrono::steady_clock::now() >= drain_deadline)) break;
    // With a terminal, the monitor reads the stdin FIFO; without, the container does.
    int stdin_to_copy = terminal_ >= 0 && !wait_status ? stdin_fifo_ : -1;
    pollfd fds[5] = {{signal_fd_, POLLIN, 0},
                     {output_[0], POLLIN, 0},
                     {output_[1], POLLIN, 0},
                     {resize_fifo_, POLLIN, 0},
                     {stdin_to_copy, POLLIN, 0}};
    if (::poll(fds, 5, wait_status ? 100 : -1) < 0) {
      if (errno == EINTR) continue;
      log_monitor_error(std::string("poll: ") + std::strerror(errno));
      break;
    }
    if (fds[0].revents & POLLIN) {
      bool had_exited = wait_status.has_value();
      handle_signals(wait_status);
      if (!had_exited && wait_status) drain_deadline = std::chrono::steady_clock::now() + kDrainAfterExit;
    }
    for (int i = 0; i < 2; ++i) copy_output(i, fds[i + 1].revents);
    // Resizes before input: a client that resized, then typed, sees its keys on the new size.
    if (fds[3].revents & POLLIN) apply_resizes();
    if (fds[4].revents & POLLIN) forward_stdin_to_terminal();
  }
  log_->finish(LogStream::Stdout);
  log_->finish(LogStream::Stderr);
  return wait_status;
}

void ContainerMonitor::handle_signals(std::optional<int>& wait_status) {
  signalfd_siginfo info{};
  while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
    int signo = static_cast<int>(info.ssi_signo);
    if (signo == SIGCHLD) {
      int status = 0;
      if (spec_.runc.active()) {
        // A subreaper collects whatever runc orphaned, not only the container. The pid
        // namespace's end takes the container's other processes with it.
        for (pid_t child; (child = ::waitpid(-1, &status, WNOHANG)) > 0;)
          if (child == pid_ && !wait_status) wait_status = status;
      } else if (!wait_status && ::waitpid(pid_, &status, WNOHANG) == pid_) {
        wait_status = status;
        // The container is its main process: what it left behind in its group goes
        // with it, as when a pid namespace's init exits.
        ::kill(-pid_, SIGKILL);
      }
    } else if (signo == SIGUSR1) {
      release_stdin();
    } else if (signo != SIGHUP && !wait_status) {
      // Someone stopping the monitor (a shutdown's SIGTERM to every process) means the
      // container.
      ::kill(spec_.runc.active() ? pid_ : -pid_, signo);
    }
  }
}

void ContainerMonitor::copy_output(int index, short revents) {
  if (output_[index] < 0 || !(revents & (POLLIN | POLLHUP | POLLERR))) return;
  char buffer[65536];
  ssize_t n = ::read(output_[index], buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  LogStream stream = index == 0 ? LogStream::Stdout : LogStream::Stderr;
  if (n <= 0) {  // a terminal's master reads EIO once the container's side is closed
    log_->finish(stream);
    close_if_open(output_[index]);
  } else {
    log_->write(stream, std::string_view(buffer, static_cast<size_t>(n)));
  }
}

void ContainerMonitor::forward_stdin_to_terminal() {
  char buffer[4096];
  ssize_t n = ::read(stdin_fifo_, buffer, sizeof buffer);
  if (n <= 0) return;
  // The master is non-blocking so that a container not reading its terminal cannot stall
  // its logging: input beyond the terminal's buffer is dropped, and said so.
  ssize_t written = ::write(terminal_, buffer, static_cast<size_t>(n));
  if (written < n)
    log_monitor_error("terminal input buffer full: " + std::to_string(n - std::max<ssize_t>(written, 0)) +
                      " byte(s) of stdin dropped");
}

void ContainerMonitor::apply_resizes() {
  char buffer[512];
  ssize_t n = ::read(resize_fifo_, buffer, sizeof buffer);
  if (n <= 0) return;
  std::istringstream lines(std::string(buffer, static_cast<size_t>(n)));
  unsigned columns = 0, rows = 0;
  while (lines >> columns >> rows) {
    winsize size{};
    size.ws_col = static_cast<unsigned short>(columns);
    size.ws_row = static_cast<unsigned short>(rows);
    ::ioctl(terminal_, TIOCSWINSZ, &size);
  }
}

void ContainerMonitor::release_stdin() {
  // The driver's "stdin closed" (stdin_once): the container then reads end-of-file, from
  // the FIFO (no writer left) or, on a terminal, from its end-of-file character.
  if (terminal_ >= 0 && stdin_fifo_ >= 0) {
    forward_stdin_to_terminal();  // what was written before the close comes first
    [[maybe_unused]] ssize_t n = ::write(terminal_, "\x04", 1);
  }
  close_if_open(stdin_fifo_);
}

}  // namespace

void report_readiness(int& fd, const std::string& line) {
  if (fd < 0) return;
  std::string text = line + "\n";
  // Best effort: a driver that gave up waiting reads the records instead.
  [[maybe_unused]] ssize_t n = ::write(fd, text.data(), text.size());
  ::close(fd);
  fd = -1;
}

int run_container_monitor(const std::filesystem::path& container_dir, const MonitorSpec& spec, int ready_fd) {
  ContainerMonitor monitor(container_dir, spec);
  try {
    monitor.start();
  } catch (const std::exception& e) {
    std::string message = e.what();
    log_monitor_error(message);
    try {
      write_exit_record(container_dir, ExitRecord{128, now_ns(), "StartError", message});
    } catch (const std::exception& write_error) {
      log_monitor_error(write_error.what());
    }
    report_readiness(ready_fd, "error " + message);
    return 1;
  }

  StartRecord started;
  started.monitor_pid = ::getpid();
  started.monitor_start_ticks = read_proc_stat(::getpid()).value_or(ProcStat{}).start_ticks;
  started.pid = monitor.pid();
  started.start_ticks = read_proc_stat(monitor.pid()).value_or(ProcStat{}).start_ticks;
  started.started_at = monitor.started_at();
  try {
    write_start_record(container_dir, started);
  } catch (const std::exception& e) {
    // Without the record nobody can stop the container: do not leave it running.
    log_monitor_error(e.what());
    ::kill(-monitor.pid(), SIGKILL);
    ::waitpid(monitor.pid(), nullptr, 0);
    report_readiness(ready_fd, std::string("error ") + e.what());
    return 1;
  }
  report_readiness(ready_fd, "ok " + std::to_string(monitor.pid()));

  std::optional<int> wait_status = monitor.follow();
  int exit_code = wait_status ? exit_code_from_wait_status(*wait_status) : 255;
  ExitRecord record{exit_code, now_ns(), exit_reason(exit_code), {}};
  // As upstream: a container whose cgroup saw an OOM kill reports OOMKilled.
  if (wait_status && exit_code != 0 && oom_kill_recorded(spec.runc.oom_counter)) record.reason = "OOMKilled";
  if (!wait_status)
    record.message = "the monitor lost track of the container (see monitor.log)";
  else if (WIFSIGNALED(*wait_status))
    record.message = std::string("killed by signal ") + std::to_string(WTERMSIG(*wait_status)) + " (" +
                     ::strsignal(WTERMSIG(*wait_status)) + ")";
  try {
    write_exit_record(container_dir, record);
  } catch (const std::exception& e) {
    log_monitor_error(e.what());
    return 1;
  }
  return 0;
}

}  // namespace ukube::runtime::node
