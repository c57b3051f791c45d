#pragma once

#include <cstdint>
#include <optional>
#include <string>

// The cgroups runc puts containers in, read and cleaned up by the driver: cgroup v1 (one
// hierarchy per controller under /sys/fs/cgroup) and v2 (the unified hierarchy).
namespace ukube::runtime::runc {

bool is_cgroup_v2();

// The file whose "oom_kill <n>" line counts OOM kills in `cgroup` ("/kubepods/pod<uid>/<id>").
std::string oom_counter_file(const std::string& cgroup);

struct CgroupUsage {
  uint64_t cpu_ns = 0;             // cumulative CPU time of every process in the cgroup
  uint64_t working_set_bytes = 0;  // memory in use, less inactive file cache (as the kubelet counts it)
};
std::optional<CgroupUsage> read_cgroup_usage(const std::string& cgroup);

// Removes `cgroup` (which must hold no process) from every hierarchy it is in.
void remove_cgroup(const std::string& cgroup);

}  // namespace ukube::runtime::runc
