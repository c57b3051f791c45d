#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The usage figures the kubelet serves for `kubectl top` and metrics collectors, and the
// two forms it serves them in: upstream's statsapi Summary (GET /stats/summary, JSON) and
// its resource metrics (GET /metrics/resource, Prometheus text). Pure: the samples come
// from usage_sampler.h. Times are nanoseconds since the Unix epoch, as the CRI's.
namespace ukube::kubelet::stats {

struct CpuUsage {
  int64_t time_ns = 0;
  uint64_t usage_core_nanoseconds = 0;       // cumulative
  std::optional<uint64_t> usage_nano_cores;  // a rate: needs two samples
};

struct MemoryUsage {
  int64_t time_ns = 0;
  uint64_t working_set_bytes = 0;
  std::optional<uint64_t> usage_bytes, rss_bytes, available_bytes;
};

struct FsUsage {
  int64_t time_ns = 0;
  uint64_t capacity_bytes = 0, available_bytes = 0, used_bytes = 0;
  uint64_t inodes = 0, inodes_free = 0;
};

struct ContainerUsage {
  std::string name;
  int64_t start_ns = 0;
  CpuUsage cpu;
  MemoryUsage memory;
};

struct PodUsage {
  std::string namespace_, name, uid;
  int64_t start_ns = 0;
  std::vector<ContainerUsage> containers;  // running ones, by name
};

struct NodeUsage {
  std::string name;
  int64_t start_ns = 0;
  CpuUsage cpu;
  MemoryUsage memory;
  std::optional<FsUsage> fs, image_fs;
};

struct Summary {
  NodeUsage node;
  std::vector<PodUsage> pods;  // by namespace, then name
};

// The rate between two cumulative CPU samples, in billionths of a core; none when the
// samples are not in order (a restarted container's counter starts again).
std::optional<uint64_t> nano_cores(uint64_t before_core_ns, int64_t before_ns, uint64_t after_core_ns,
                                   int64_t after_ns);

// A pod's CPU and memory: the sum of its containers'. The rate only when every container has one.
CpuUsage pod_cpu(const PodUsage& pod);
MemoryUsage pod_memory(const PodUsage& pod);

// /proc/stat: CPU time the machine spent busy (every state but idle and iowait), and its boot time.
struct ProcStat {
  uint64_t busy_ticks = 0;
  int64_t boot_time_s = 0;
};
std::optional<ProcStat> parse_proc_stat(std::string_view text);

// /proc/meminfo, in bytes.
struct MemInfo {
  uint64_t total = 0, free = 0, available = 0, buffers = 0, cached = 0, inactive_file = 0;
};
std::optional<MemInfo> parse_meminfo(std::string_view text);
// The node's memory as upstream reads it from the root cgroup: the working set is what is
// in use less the inactive page cache, which the kernel reclaims first.
MemoryUsage node_memory(const MemInfo& info, int64_t time_ns);

// GET /stats/summary; with `only_cpu_and_memory` (the query parameter of that name) the
// file systems are left out, as upstream does.
std::string summary_json(const Summary& summary, bool only_cpu_and_memory);
// GET /metrics/resource: families sorted by name, samples by their labels, each with its
// timestamp in milliseconds, as upstream's Prometheus registry prints them.
std::string resource_metrics(const Summary& summary);

// A float as Go's Prometheus encoder prints it (strconv 'g', shortest): "0.5", "1.6e+07".
std::string go_float(double value);

}  // namespace ukube::kubelet::stats
