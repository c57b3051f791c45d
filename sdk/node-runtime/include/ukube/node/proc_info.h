#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

// What /proc says about one process: enough to tell whether a recorded pid is still the
// process that was recorded (pids are reused), and what it costs (container stats).
namespace ukube::runtime::node {

struct ProcStat {
  char state = '?';          // R, S, D, Z (zombie), ...
  uint64_t utime_ticks = 0;  // user CPU, in clock ticks
  uint64_t stime_ticks = 0;  // system CPU, in clock ticks
  uint64_t start_ticks = 0;  // start time after boot, in clock ticks
};

// nullopt when the process does not exist (or /proc cannot be read).
std::optional<ProcStat> read_proc_stat(pid_t pid);
// Resident set size in bytes, from /proc/<pid>/statm; nullopt when gone.
std::optional<uint64_t> read_resident_bytes(pid_t pid);
// Whether `pid` is still the process started at `start_ticks` and has not exited (a zombie
// has exited: its parent only has not collected it yet).
bool is_same_process_alive(pid_t pid, uint64_t start_ticks);
uint64_t ticks_to_ns(uint64_t ticks);

}  // namespace ukube::runtime::node
