#include "cgroups.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace ukube::runtime::runc {

namespace {

const std::filesystem::path kCgroupRoot = "/sys/fs/cgroup";

std::optional<uint64_t> read_number(const std::filesystem::path& file) {
  std::ifstream in(file);
  uint64_t value = 0;
  if (!(in >> value)) return std::nullopt;
  return value;
}

// "key value" lines (memory.stat, cpu.stat).
std::map<std::string, uint64_t> read_flat_keyed(const std::filesystem::path& file) {
  std::map<std::string, uint64_t> out;
  std::ifstream in(file);
  std::string key;
  uint64_t value = 0;
  while (in >> key >> value) out[key] = value;
  return out;
}

std::filesystem::path under(const std::filesystem::path& hierarchy, const std::string& cgroup) {
  return hierarchy / std::filesystem::path(cgroup).relative_path();
}

uint64_t less_inactive(uint64_t usage, uint64_t inactive) {
  return usage > inactive ? usage - inactive : 0;
}

}  // namespace

bool is_cgroup_v2() {
  // The machine's cgroup layout does not change while the daemon runs.
  static const bool v2 = ::access((kCgroupRoot / "cgroup.controllers").c_str(), F_OK) == 0;
  return v2;
}

std::string oom_counter_file(const std::string& cgroup) {
  if (is_cgroup_v2()) return (under(kCgroupRoot, cgroup) / "memory.events").string();
  return (under(kCgroupRoot / "memory", cgroup) / "memory.oom_control").string();
}

std::optional<CgroupUsage> read_cgroup_usage(const std::string& cgroup) {
  CgroupUsage usage;
  if (is_cgroup_v2()) {
    auto dir = under(kCgroupRoot, cgroup);
    auto cpu = read_flat_keyed(dir / "cpu.stat");
    auto memory = read_number(dir / "memory.current");
    if (cpu.empty() && !memory) return std::nullopt;
    usage.cpu_ns = cpu["usage_usec"] * 1000;
    usage.working_set_bytes =
        less_inactive(memory.value_or(0), read_flat_keyed(dir / "memory.stat")["inactive_file"]);
    return usage;
  }
  auto cpu = read_number(under(kCgroupRoot / "cpuacct", cgroup) / "cpuacct.usage");
  auto memory_dir = under(kCgroupRoot / "memory", cgroup);
  auto memory = read_number(memory_dir / "memory.usage_in_bytes");
  if (!cpu && !memory) return std::nullopt;
  usage.cpu_ns = cpu.value_or(0);
  usage.working_set_bytes =
      less_inactive(memory.value_or(0), read_flat_keyed(memory_dir / "memory.stat")["total_inactive_file"]);
  return usage;
}

void remove_cgroup(const std::string& cgroup) {
  if (is_cgroup_v2()) {
    ::rmdir(under(kCgroupRoot, cgroup).c_str());
    return;
  }
  std::error_code ec;
  for (const auto& hierarchy : std::filesystem::directory_iterator(kCgroupRoot, ec))
    ::rmdir(under(hierarchy.path(), cgroup).c_str());
}

}  // namespace ukube::runtime::runc
