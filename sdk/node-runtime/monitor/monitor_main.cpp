// ukube-container-monitor <container state folder>
//
// Started by the runtimes built on sdk/node-runtime (runtime-process, runtime-runc) once per container, with
// its readiness pipe as fd 3. It reads monitor.json from the folder, detaches from the daemon, starts the
// container and stays with it until it exits (container_monitor.cpp).
//
// Detaching: the driver starts the monitor in a new session (posix_spawn with
// POSIX_SPAWN_SETSID); the monitor forks once more and the first process exits at once. The
// daemon reaps that first process right away, and the monitor proper, orphaned, is adopted
// by init (or the nearest subreaper): it is not the daemon's child, so the daemon never has
// to collect it, and it is in no process group or session of the daemon's, so nothing sent
// to the daemon (a kill -9, a terminal's Ctrl-C, a service manager's stop) reaches it.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>

#include "container_monitor.h"
#include "ukube/node/atomic_file.h"
#include "ukube/node/records.h"

namespace {

constexpr int kReadyFd = 3;

int ready_fd_if_open() {
  struct stat st {};
  return ::fstat(kReadyFd, &st) == 0 && S_ISFIFO(st.st_mode) ? kReadyFd : -1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ukube::runtime::node;
  int ready_fd = ready_fd_if_open();
  if (argc != 2) {
    std::fprintf(stderr,
                 "usage: %s <container state folder>\n(started by the ukube process runtime, not by hand)\n",
                 argv[0]);
    report_readiness(ready_fd, "error ukube-container-monitor: wrong arguments");
    return 2;
  }
  std::filesystem::path container_dir = argv[1];
  MonitorSpec spec;
  try {
    auto path = container_dir / files::kMonitorSpec;
    auto text = read_file_if_exists(path);
    if (!text) throw std::runtime_error(path.string() + " does not exist");
    spec = monitor_spec_from_json(*text, path.string());
  } catch (const std::exception& e) {
    report_readiness(ready_fd,
                     std::string("error ukube-container-monitor cannot read its spec: ") + e.what());
    return 1;
  }

  // Diagnostics go to monitor.log in the container's folder: the daemon's stderr may be
  // gone long before the container is.
  auto monitor_log = container_dir / files::kMonitorLog;
  int log_fd = ::open(monitor_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd >= 0) {
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
  }
  ::dup2(log_fd >= 0 ? log_fd : null_fd, 2);

  // A daemon killed while it waits for the readiness line leaves the pipe without a
  // reader: the write must fail, not end the monitor (the container has its own dispositions).
  ::signal(SIGPIPE, SIG_IGN);

  pid_t child = ::fork();
  if (child < 0) {
    report_readiness(ready_fd,
                     std::string("error ukube-container-monitor cannot fork: ") + std::strerror(errno));
    return 1;
  }
  if (child > 0) _exit(0);  // the daemon's child ends here; the monitor goes on, orphaned
  ::setsid();
  return run_container_monitor(container_dir, spec, ready_fd);
}
