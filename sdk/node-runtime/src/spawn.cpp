#include "ukube/node/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <system_error>

namespace ukube::runtime::node {

namespace {

// Owns the posix_spawn attribute objects so every exit path releases them.
struct SpawnAttributes {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  SpawnAttributes() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnAttributes() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
};

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

void add_stdio(posix_spawn_file_actions_t* actions, int source, int target) {
  if (source < 0)
    posix_spawn_file_actions_addopen(actions, target, "/dev/null", O_RDWR, 0);
  else
    posix_spawn_file_actions_adddup2(actions, source, target);  // same fd: clears FD_CLOEXEC
}

}  // namespace

pid_t spawn_process(const SpawnOptions& options) {
  if (options.argv.empty()) throw std::invalid_argument("spawn_process: argv is empty");
  SpawnAttributes spawn;
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (options.group == SpawnOptions::Group::NewGroup) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&spawn.attributes, 0);
  } else if (options.group == SpawnOptions::Group::NewSession) {
    flags |= POSIX_SPAWN_SETSID;
  }
  // The child starts with no signal blocked and every signal at its default action,
  // whatever the daemon (or the monitor, which blocks signals for its signalfd) does.
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&spawn.attributes, &none);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigdefault(&spawn.attributes, &all);
  posix_spawnattr_setflags(&spawn.attributes, flags);

  if (!options.controlling_tty.empty()) {
    // glibc runs setsid before the file actions, so opening the terminal here makes it
    // the new session's controlling terminal.
    posix_spawn_file_actions_addopen(&spawn.actions, 0, options.controlling_tty.c_str(), O_RDWR, 0);
    posix_spawn_file_actions_adddup2(&spawn.actions, 0, 1);
    posix_spawn_file_actions_adddup2(&spawn.actions, 0, 2);
  } else {
    add_stdio(&spawn.actions, options.stdin_fd, 0);
    add_stdio(&spawn.actions, options.stdout_fd, 1);
    add_stdio(&spawn.actions, options.stderr_fd, 2);
  }
  int lowest_closed = 3;
  for (const auto& [source, target] : options.extra_fds) {
    posix_spawn_file_actions_adddup2(&spawn.actions, source, target);
    lowest_closed = std::max(lowest_closed, target + 1);
  }
  // Descriptors other code in the daemon opened without O_CLOEXEC must not leak into
  // containers (they would, for one, keep sockets and pipes open after the daemon exits).
  posix_spawn_file_actions_addclosefrom_np(&spawn.actions, lowest_closed);
  if (!options.working_dir.empty())
    posix_spawn_file_actions_addchdir_np(&spawn.actions, options.working_dir.c_str());

  auto argv = c_strings(options.argv);
  auto envp = c_strings(options.env);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &spawn.actions, &spawn.attributes, argv.data(), envp.data());
  if (rc != 0) {
    std::ostringstream what;
    what << "cannot start " << options.argv[0];
    if (!options.working_dir.empty()) what << " in " << options.working_dir;
    throw std::system_error(rc, std::generic_category(), what.str());
  }
  return pid;
}

std::optional<std::string> find_executable(const std::string& name, const std::string& path_list) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) return name;
  std::string::size_type begin = 0;
  while (begin <= path_list.size()) {
    auto end = path_list.find(':', begin);
    if (end == std::string::npos) end = path_list.size();
    std::string dir = path_list.substr(begin, end - begin);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    begin = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string> env_value(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& entry : env)
    if (entry.size() > key.size() && entry.compare(0, key.size(), key) == 0 && entry[key.size()] == '=')
      return entry.substr(key.size() + 1);
  return std::nullopt;
}

int run_to_exit(const SpawnOptions& options) {
  pid_t pid = spawn_process(options);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return exit_code_from_wait_status(status);
}

namespace {

// An anonymous memory file, closed with its owner.
struct MemoryFile {
  int fd;
  explicit MemoryFile(const char* name) : fd(::memfd_create(name, MFD_CLOEXEC)) {
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "memfd_create");
  }
  ~MemoryFile() { ::close(fd); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  void write_all(std::string_view data) const {
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::system_error(errno, std::generic_category(), "writing a memory file");
      data.remove_prefix(static_cast<size_t>(n));
    }
    ::lseek(fd, 0, SEEK_SET);
  }
  std::string read_all() const {
    std::string out;
    char buffer[8192];
    for (off_t at = 0;;) {
      ssize_t n = ::pread(fd, buffer, sizeof buffer, at);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      out.append(buffer, static_cast<size_t>(n));
      at += n;
    }
    return out;
  }
};

}  // namespace

CapturedRun run_captured(const SpawnOptions& options, std::string_view input) {
  MemoryFile in("stdin"), out("stdout"), err("stderr");
  in.write_all(input);
  SpawnOptions spawn = options;
  spawn.stdin_fd = in.fd;
  spawn.stdout_fd = out.fd;
  spawn.stderr_fd = err.fd;
  CapturedRun run;
  run.exit_code = run_to_exit(spawn);
  run.out = out.read_all();
  run.err = err.read_all();
  return run;
}

int exit_code_from_wait_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

}  // namespace ukube::runtime::node
