#include "namespace_holder.h"

#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace ukube::runtime::node {

namespace {

// The nobody user: the holder only sleeps.
constexpr uid_t kHolderUser = 65534;

// In the child, after fork: reports `step` and errno on the pipe, then ends.
[[noreturn]] void fail(int report_fd, const char* step) {
  int error = errno;
  char message[128];
  int n = std::snprintf(message, sizeof message, "%s: %s", step, std::strerror(error));
  [[maybe_unused]] ssize_t w = ::write(report_fd, message, static_cast<size_t>(n));
  ::_exit(127);
}

void loopback_up(int report_fd) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail(report_fd, "socket for loopback");
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(fd, SIOCGIFFLAGS, &request) != 0) fail(report_fd, "reading loopback's flags");
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP | IFF_RUNNING);
  if (::ioctl(fd, SIOCSIFFLAGS, &request) != 0) fail(report_fd, "bringing loopback up");
  ::close(fd);
}

}  // namespace

pid_t spawn_namespace_holder(const SpawnOptions& options, const std::vector<std::string>& namespaces,
                             const std::string& hostname) {
  int flags = 0;
  for (const auto& ns : namespaces) {
    if (ns == "net")
      flags |= CLONE_NEWNET;
    else if (ns == "ipc")
      flags |= CLONE_NEWIPC;
    else if (ns == "uts")
      flags |= CLONE_NEWUTS;
    else if (ns == "pid")
      flags |= CLONE_NEWPID;
    else
      throw std::system_error(EINVAL, std::generic_category(), "unknown namespace kind \"" + ns + "\"");
  }
  // Everything the child needs is prepared before the fork: after it, only async-signal-safe
  // calls (the monitor is single-threaded, but keep to them anyway).
  std::vector<char*> argv;
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : options.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  // A new pid namespace takes effect for a new process: clone (as fork, on the same stack)
  // makes the holder its init and still the monitor's child. The others come by unshare.
  const int pid_flag = flags & CLONE_NEWPID;
  flags &= ~CLONE_NEWPID;
  pid_t pid =
      static_cast<pid_t>(::syscall(SYS_clone, SIGCHLD | pid_flag, nullptr, nullptr, nullptr, nullptr));
  if (pid < 0) {
    int error = errno;
    ::close(report[0]);
    ::close(report[1]);
    throw std::system_error(error, std::generic_category(), "fork for the namespace holder");
  }
  if (pid == 0) {
    ::close(report[0]);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
    ::setsid();
    if (::unshare(flags) != 0) fail(report[1], "unshare");
    if (flags & CLONE_NEWNET) loopback_up(report[1]);
    if ((flags & CLONE_NEWUTS) && !hostname.empty() && ::sethostname(hostname.data(), hostname.size()) != 0)
      fail(report[1], "sethostname");
    int null_fd = ::open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; ++fd) ::dup2(null_fd, fd);
    if (::chdir("/") != 0) fail(report[1], "chdir /");
    if (::setgroups(0, nullptr) != 0 || ::setgid(kHolderUser) != 0 || ::setuid(kHolderUser) != 0)
      fail(report[1], "dropping to the nobody user");
    ::execve(argv[0], argv.data(), envp.data());
    fail(report[1], "exec");
  }
  ::close(report[1]);
  char message[256];
  ssize_t n;
  while ((n = ::read(report[0], message, sizeof message - 1)) < 0 && errno == EINTR) {
  }
  ::close(report[0]);
  if (n > 0) {
    ::waitpid(pid, nullptr, 0);
    throw std::system_error(ECHILD, std::generic_category(),
                            "cannot start the namespace holder " + options.argv.front() + ": " +
                                std::string(message, static_cast<size_t>(n)));
  }
  return pid;
}

}  // namespace ukube::runtime::node
