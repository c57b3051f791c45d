#include "usage_sampler.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <tuple>
#include <vector>

#include "ukube/errors.h"
#include "ukube/runtime/driver.h"

namespace ukube::kubelet {
namespace {

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string read_proc_file(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<stats::FsUsage> filesystem_usage(const char* path, int64_t time_ns) {
  struct statvfs vfs {};
  if (::statvfs(path, &vfs) != 0) return std::nullopt;
  stats::FsUsage fs;
  fs.time_ns = time_ns;
  fs.capacity_bytes = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
  fs.available_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  fs.used_bytes = fs.capacity_bytes -
                  std::min<uint64_t>(fs.capacity_bytes, static_cast<uint64_t>(vfs.f_bfree) * vfs.f_frsize);
  fs.inodes = vfs.f_files;
  fs.inodes_free = vfs.f_ffree;
  return fs;
}

std::string container_label(const runtime::Labels& labels, const char* key) {
  auto it = labels.find(key);
  return it == labels.end() ? std::string() : it->second;
}

}  // namespace

// One running container at one sample.
struct ContainerPoint {
  std::string id, namespace_, pod, uid, name;
  int64_t start_ns = 0, time_ns = 0;
  uint64_t cpu_core_ns = 0, working_set = 0;
};

struct UsageSampler::NodeSample {
  int64_t time_ns = 0;
  bool simulated = false;
  int64_t boot_ns = 0;
  uint64_t node_cpu_core_ns = 0;  // real nodes only
  std::optional<stats::MemoryUsage> node_memory;
  std::optional<stats::FsUsage> fs, image_fs;
  std::map<std::string, ContainerPoint> containers;  // by container id
  std::map<std::string, int64_t> pod_start_ns;       // by pod uid: its sandbox's creation
};

UsageSampler::UsageSampler(std::map<std::string, std::shared_ptr<runtime::RuntimeDriver>> drivers,
                           std::function<int64_t()> clock)
    : drivers_(std::move(drivers)),
      clock_(clock ? std::move(clock) : std::function<int64_t()>(wall_clock_ns)),
      started_ns_(clock_()) {}

std::shared_ptr<const UsageSampler::NodeSample> UsageSampler::take(runtime::RuntimeDriver& driver) const {
  auto sample = std::make_shared<NodeSample>();
  sample->time_ns = clock_();
  sample->simulated = driver.simulated();
  runtime::ContainerFilter running;
  running.state = runtime::ContainerState::Running;
  std::map<std::string, runtime::ContainerStats> usage;
  for (auto& s : driver.list_container_stats(running)) usage.emplace(s.id, std::move(s));
  for (const auto& c : driver.list_containers(running)) {
    auto u = usage.find(c.id);
    if (u == usage.end()) continue;  // exited between the two calls
    ContainerPoint p;
    p.id = c.id;
    p.namespace_ = container_label(c.labels, runtime::label::kPodNamespace);
    p.pod = container_label(c.labels, runtime::label::kPodName);
    p.uid = container_label(c.labels, runtime::label::kPodUid);
    p.name = container_label(c.labels, runtime::label::kContainerName);
    if (p.pod.empty() || p.name.empty()) continue;  // not the kubelet's
    p.start_ns = c.started_at;
    p.time_ns = u->second.timestamp > 0 ? u->second.timestamp : sample->time_ns;
    p.cpu_core_ns = u->second.cpu_usage_core_nanoseconds;
    p.working_set = u->second.memory_working_set_bytes;
    sample->containers.emplace(c.id, std::move(p));
  }
  for (const auto& sandbox : driver.list_pod_sandboxes())
    sample->pod_start_ns[sandbox.metadata.uid] = sandbox.created_at;
  if (!sample->simulated) {
    // The machine itself, as upstream reads its root cgroup.
    if (auto stat = stats::parse_proc_stat(read_proc_file("/proc/stat"))) {
      static const uint64_t ticks_per_second = static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
      sample->node_cpu_core_ns = stat->busy_ticks * (1000000000ULL / ticks_per_second);
      sample->boot_ns = stat->boot_time_s * 1000000000LL;
    }
    if (auto info = stats::parse_meminfo(read_proc_file("/proc/meminfo")))
      sample->node_memory = stats::node_memory(*info, sample->time_ns);
    sample->fs = filesystem_usage("/", sample->time_ns);
    if (sample->fs) {
      uint64_t images = 0;
      for (const auto& image : driver.list_images()) images += image.size;
      sample->image_fs = sample->fs;
      sample->image_fs->used_bytes = images;
    }
  }
  return sample;
}

void UsageSampler::refresh(const std::string& node, History& history, int64_t now) {
  if (history.latest && now - history.latest->time_ns < std::chrono::nanoseconds(kInterval).count()) return;
  auto sample = take(*drivers_.at(node));
  history.previous = std::move(history.latest);
  history.latest = std::move(sample);
}

void UsageSampler::sample_due() {
  std::lock_guard lock(mutex_);
  const int64_t now = clock_();
  for (const auto& [name, driver] : drivers_) {
    try {
      refresh(name, history_[name], now);
    } catch (const std::exception&) {
      // The runtime is down or busy: the next round, or a request, tries again.
    }
  }
}

stats::Summary UsageSampler::summary(const std::string& node) {
  if (!drivers_.count(node))
    throw ApiError(404, "NotFound", "node \"" + node + "\" is not served by this kubelet");
  std::lock_guard lock(mutex_);
  History& history = history_[node];
  refresh(node, history, clock_());
  return build(node, history);
}

stats::Summary UsageSampler::build(const std::string& node, const History& history) const {
  const NodeSample& now = *history.latest;
  const NodeSample* before = history.previous.get();
  stats::Summary out;
  std::map<std::tuple<std::string, std::string, std::string>, stats::PodUsage> pods;
  uint64_t pods_cpu = 0, pods_rate = 0, pods_memory = 0;
  for (const auto& [id, c] : now.containers) {
    stats::ContainerUsage usage;
    usage.name = c.name;
    usage.start_ns = c.start_ns;
    usage.cpu.time_ns = c.time_ns;
    usage.cpu.usage_core_nanoseconds = c.cpu_core_ns;
    if (before)
      if (auto old = before->containers.find(id); old != before->containers.end())
        usage.cpu.usage_nano_cores =
            stats::nano_cores(old->second.cpu_core_ns, old->second.time_ns, c.cpu_core_ns, c.time_ns);
    usage.memory.time_ns = c.time_ns;
    usage.memory.working_set_bytes = c.working_set;
    // Drivers report one memory figure; for a process it is its resident set.
    usage.memory.usage_bytes = c.working_set;
    usage.memory.rss_bytes = c.working_set;
    pods_cpu += c.cpu_core_ns;
    pods_rate += usage.cpu.usage_nano_cores.value_or(0);
    pods_memory += c.working_set;
    stats::PodUsage& pod = pods[{c.namespace_, c.pod, c.uid}];
    if (pod.name.empty()) {
      pod.namespace_ = c.namespace_;
      pod.name = c.pod;
      pod.uid = c.uid;
      auto start = now.pod_start_ns.find(c.uid);
      pod.start_ns = start != now.pod_start_ns.end() ? start->second : c.start_ns;
    }
    pod.containers.push_back(std::move(usage));
  }
  for (auto& [key, pod] : pods) {
    std::sort(pod.containers.begin(), pod.containers.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    out.pods.push_back(std::move(pod));
  }

  stats::NodeUsage& n = out.node;
  n.name = node;
  n.cpu.time_ns = now.time_ns;
  n.memory.time_ns = now.time_ns;
  if (now.simulated) {
    // Nothing runs: the node uses what its simulated pods do.
    n.start_ns = started_ns_;
    n.cpu.usage_core_nanoseconds = pods_cpu;
    if (before) n.cpu.usage_nano_cores = pods_rate;
    n.memory.working_set_bytes = pods_memory;
    n.memory.usage_bytes = pods_memory;
    n.memory.rss_bytes = pods_memory;
  } else {
    n.start_ns = now.boot_ns;
    n.cpu.usage_core_nanoseconds = now.node_cpu_core_ns;
    if (before)
      n.cpu.usage_nano_cores =
          stats::nano_cores(before->node_cpu_core_ns, before->time_ns, now.node_cpu_core_ns, now.time_ns);
    if (now.node_memory) n.memory = *now.node_memory;
    n.fs = now.fs;
    n.image_fs = now.image_fs;
  }
  return out;
}

}  // namespace ukube::kubelet
