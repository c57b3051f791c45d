#include "ukube/node/proc_info.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace ukube::runtime::node {

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  // The command name (field 2) is in parentheses and may hold spaces and parentheses
  // itself: the fields that follow start after the last ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 1));
  ProcStat stat;
  std::string skip;
  fields >> stat.state;  // field 3
  for (int field = 4; field <= 13; ++field) fields >> skip;
  fields >> stat.utime_ticks >> stat.stime_ticks;  // fields 14, 15
  for (int field = 16; field <= 21; ++field) fields >> skip;
  fields >> stat.start_ticks;  // field 22
  if (!fields) return std::nullopt;
  return stat;
}

std::optional<uint64_t> read_resident_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/statm");
  uint64_t size_pages = 0;
  uint64_t resident_pages = 0;
  if (!(in >> size_pages >> resident_pages)) return std::nullopt;
  return resident_pages * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

bool is_same_process_alive(pid_t pid, uint64_t start_ticks) {
  if (pid <= 0) return false;
  auto stat = read_proc_stat(pid);
  return stat && stat->start_ticks == start_ticks && stat->state != 'Z' && stat->state != 'X';
}

uint64_t ticks_to_ns(uint64_t ticks) {
  static const uint64_t ticks_per_second = static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
  return ticks * (1'000'000'000ULL / ticks_per_second);
}

}  // namespace ukube::runtime::node
