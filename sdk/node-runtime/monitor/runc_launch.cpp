#include "runc_launch.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "ukube/node/atomic_file.h"
#include "ukube/node/spawn.h"

namespace ukube::runtime::node {

namespace {

// How long runc may take to hand over a container's terminal after `runc run` returned.
constexpr int kConsoleWaitMs = 5000;

// The last error runc wrote to its --log (JSON lines: {"level":"error","msg":...}), else
// its whole log's last line: what a user needs to see when create or start fails.
std::string runc_error(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::string line, last_line, last_error;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    last_line = line;
    boost::system::error_code ec;
    auto value = boost::json::parse(line, ec);
    if (ec || !value.is_object()) continue;
    const auto& o = value.as_object();
    const auto* level = o.if_contains("level");
    const auto* msg = o.if_contains("msg");
    if (level && level->is_string() && level->as_string() == "error" && msg && msg->is_string())
      last_error = std::string(msg->as_string());
  }
  if (!last_error.empty()) return last_error;
  return last_line.empty() ? "no message (see " + log.string() + ")" : last_line;
}

// A listening socket runc connects to with --console-socket. Its path must fit sun_path
// (108 bytes), which a container's folder may not: it lives in a short temporary folder.
class ConsoleSocket {
 public:
  ConsoleSocket() {
    char dir_template[] = "/tmp/ukube-console-XXXXXX";
    if (!::mkdtemp(dir_template)) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    dir_ = dir_template;
    path_ = dir_ + "/sock";
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, 1) != 0)
      throw std::runtime_error("cannot listen on the console socket " + path_ + ": " + std::strerror(errno));
  }
  ~ConsoleSocket() {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }

  // The terminal master runc sent (SCM_RIGHTS).
  int receive_master() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, kConsoleWaitMs) <= 0)
      throw std::runtime_error("runc did not hand over the container's terminal within " +
                               std::to_string(kConsoleWaitMs / 1000) + " s");
    int connection = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0)
      throw std::runtime_error(std::string("console socket accept: ") + std::strerror(errno));
    char name[4096];
    iovec io{name, sizeof name};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr message{};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(connection, &message, MSG_CMSG_CLOEXEC);
    ::close(connection);
    cmsghdr* header = n >= 0 ? CMSG_FIRSTHDR(&message) : nullptr;
    if (!header || header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS)
      throw std::runtime_error("runc sent no terminal over the console socket");
    int master = -1;
    std::memcpy(&master, CMSG_DATA(header), sizeof master);
    return master;
  }

 private:
  std::string dir_;
  std::string path_;
  int fd_ = -1;
};

}  // namespace

RuncStarted runc_run_detached(const std::filesystem::path& container_dir, const RuncLaunch& launch, bool tty,
                              int stdin_fd, int stdout_fd, int stderr_fd) {
  // The container's process is runc's grandchild; it must become ours when runc exits.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    throw std::runtime_error(std::string("cannot become a child subreaper: ") + std::strerror(errno));
  auto log = container_dir / files::kRuncLog;
  auto pid_file = container_dir / files::kContainerPid;
  std::vector<std::string> global = {launch.path,  "--root",       launch.root, "--log",
                                     log.string(), "--log-format", "json"};

  // `runc run --detach`: create and start in one runc process (a third of runc's start-up
  // cost saved over create, then start).
  SpawnOptions run;
  run.argv = global;
  for (const char* arg : {"run", "--detach", "--bundle"}) run.argv.push_back(arg);
  run.argv.push_back(launch.bundle);
  run.argv.push_back("--pid-file");
  run.argv.push_back(pid_file.string());
  run.group = SpawnOptions::Group::NewSession;
  std::optional<ConsoleSocket> console;
  if (tty) {
    console.emplace();
    run.argv.push_back("--console-socket");
    run.argv.push_back(console->path());
  } else {
    run.stdin_fd = stdin_fd;
    run.stdout_fd = stdout_fd;
    run.stderr_fd = stderr_fd;
  }
  run.argv.push_back(launch.id);
  if (int code = run_to_exit(run); code != 0)
    throw std::runtime_error("runc run failed (exit " + std::to_string(code) + "): " + runc_error(log));

  RuncStarted started;
  if (console) started.console_master = console->receive_master();
  auto pid_text = read_file_if_exists(pid_file);
  if (pid_text) started.pid = static_cast<pid_t>(std::atol(pid_text->c_str()));
  if (started.pid <= 0) throw std::runtime_error("runc run wrote no container pid to " + pid_file.string());
  return started;
}

bool oom_kill_recorded(const std::string& oom_counter) {
  if (oom_counter.empty()) return false;
  std::ifstream in(oom_counter);
  std::string key;
  uint64_t value = 0;
  while (in >> key >> value)
    if (key == "oom_kill") return value > 0;
  return false;
}

}  // namespace ukube::runtime::node
