#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Starting a process from a multi-threaded program. posix_spawn (vfork-based in glibc) runs
// no code of ours in the child, so nothing can deadlock on a lock another thread held at
// fork time, and it reports a failed exec (missing file, bad cwd) as an error to the caller.
namespace ukube::runtime::node {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0]: the executable's path, used as is
  std::vector<std::string> env;   // KEY=VALUE, the whole environment
  std::string working_dir;        // empty: the caller's
  // The child's stdio; -1 opens /dev/null. Every other descriptor is closed in the child
  // except those in extra_fds (source, target).
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  std::vector<std::pair<int, int>> extra_fds;
  enum class Group { Inherit, NewGroup, NewSession } group = Group::Inherit;
  // With NewSession: a terminal opened as the child's stdio and controlling terminal.
  std::string controlling_tty;
};

// Returns the child's pid. Throws std::system_error saying what could not be started and why.
pid_t spawn_process(const SpawnOptions& options);

// Spawns and waits for the child; returns its exit code as exit_code_from_wait_status says it.
// Throws as spawn_process.
int run_to_exit(const SpawnOptions& options);

struct CapturedRun {
  int exit_code = 0;
  std::string out, err;
};
// Runs the child with `input` as its stdin and waits for it, returning what it wrote. Its
// stdio are memory files, not pipes: nothing can block on a full pipe and no SIGPIPE can
// come, whatever the child reads or writes. For programs whose output is small (CNI
// plugins, nft, iptables). options' stdio fields are ignored. Throws as spawn_process.
CapturedRun run_captured(const SpawnOptions& options, std::string_view input = {});

// `name` itself when it holds a '/', else the first executable `dir/name` for dir in
// `path_list` (colon-separated, as $PATH).
std::optional<std::string> find_executable(const std::string& name, const std::string& path_list);

// The value of `key` in KEY=VALUE `env`, or nullopt.
std::optional<std::string> env_value(const std::vector<std::string>& env, const std::string& key);

// The PATH a container gets when its config sets none (the one container images set).
inline constexpr const char* kDefaultContainerPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Exit status from waitpid as a shell reports it: the exit code, or 128 + the signal.
int exit_code_from_wait_status(int status);

}  // namespace ukube::runtime::node
