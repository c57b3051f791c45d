#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ukube/node/mount_namespace.h"

// What the driver and a container's monitor tell each other through files in the
// container's state folder (<state dir>/containers/<id>/). The monitor outlives the daemon,
// so these files, not memory, are the truth about a container:
//   monitor.json  MonitorSpec   written by the driver before it starts the monitor
//   started.json  StartRecord   written by the monitor once the container process runs
//   exit.json     ExitRecord    written by the monitor when the container has exited
//   stdin         a FIFO        the container's stdin, when its config asks for one
//   tty-size      a FIFO        "<columns> <rows>" lines resizing the container's terminal
//   monitor.log                 the monitor's own diagnostics
//   runc.log, container.pid     runc's log and pid file, for a container runc runs
// Each JSON record is written whole (write_file_atomically), so readers never see half.
namespace ukube::runtime::node {

namespace files {
inline constexpr const char* kMonitorSpec = "monitor.json";
inline constexpr const char* kStarted = "started.json";
inline constexpr const char* kExit = "exit.json";
inline constexpr const char* kStdinFifo = "stdin";
inline constexpr const char* kTtySizeFifo = "tty-size";
inline constexpr const char* kMonitorLog = "monitor.log";
inline constexpr const char* kRuncLog = "runc.log";            // runc's --log, JSON lines
inline constexpr const char* kContainerPid = "container.pid";  // runc run's --pid-file
}  // namespace files

// A container that runc runs: the monitor runs `runc run --detach` with its pipes (or
// console socket) as the container's stdio and collects the container's exit as its
// subreaper. The container's process (argv, env, cwd) is the bundle's config.json.
struct RuncLaunch {
  std::string path;    // runc's absolute path; empty: not a runc container
  std::string root;    // runc --root: its state folder
  std::string bundle;  // the OCI bundle (config.json, rootfs)
  std::string id;      // the container's id in runc
  // A cgroup file with an "oom_kill <count>" line (v1 memory.oom_control, v2 memory.events),
  // read when the container exits to tell an OOM kill. Empty: not checked.
  std::string oom_counter;
  bool active() const { return !path.empty(); }
};

// How to run one container process.
struct MonitorSpec {
  std::vector<std::string> argv;  // argv[0] is the executable's absolute path
  std::vector<std::string> env;   // KEY=VALUE, the container's whole environment
  std::string working_dir;
  std::string log_path;  // absolute; the CRI-format log
  uint64_t log_max_size_bytes = 0;
  uint32_t log_max_files = 0;
  uint64_t rlimit_nofile = 0;  // 0: inherit
  uint64_t rlimit_nproc = 0;
  uint64_t rlimit_core = 0;
  bool stdin_ = false;            // keep a FIFO for stdin (attach writes to it)
  bool tty = false;               // run on a pseudo-terminal: one output stream, resizable
  std::vector<BindMount> mounts;  // applied only when the monitor runs as root
  RuncLaunch runc;                // set: argv, env, working_dir and mounts are unused
  // Set for a pod's namespace holder: argv runs in new namespaces of these kinds ("net",
  // "ipc", "uts", "pid"; loopback up, `hostname` set) as the nobody user, for containers to join.
  std::vector<std::string> holder_namespaces;
  std::string hostname;
};

struct StartRecord {
  pid_t monitor_pid = 0;
  uint64_t monitor_start_ticks = 0;  // /proc/<pid>/stat starttime: tells a reused pid apart
  pid_t pid = 0;                     // the container process, leader of its own session and group
  uint64_t start_ticks = 0;
  int64_t started_at = 0;  // ns since the epoch
};

struct ExitRecord {
  int32_t exit_code = 0;  // 128 + signal number for a signalled process, as shells report it
  int64_t finished_at = 0;
  std::string reason;  // Completed, Error, StartError
  std::string message;
};

std::string to_json_text(const MonitorSpec& spec);
std::string to_json_text(const StartRecord& record);
std::string to_json_text(const ExitRecord& record);
// Throw std::runtime_error naming `source` when the text is not such a record.
MonitorSpec monitor_spec_from_json(const std::string& text, const std::string& source);
StartRecord start_record_from_json(const std::string& text, const std::string& source);
ExitRecord exit_record_from_json(const std::string& text, const std::string& source);

// Reads <dir>/<file>; nullopt when absent. Throws when present but unreadable.
std::optional<StartRecord> read_start_record(const std::filesystem::path& container_dir);
std::optional<ExitRecord> read_exit_record(const std::filesystem::path& container_dir);
void write_start_record(const std::filesystem::path& container_dir, const StartRecord& record);
void write_exit_record(const std::filesystem::path& container_dir, const ExitRecord& record);

// "Completed" for 0, "Error" otherwise (the CRI's reasons).
std::string exit_reason(int32_t exit_code);
int64_t now_ns();

}  // namespace ukube::runtime::node
