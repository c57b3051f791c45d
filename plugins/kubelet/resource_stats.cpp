#include "resource_stats.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
#include <sstream>

#include "ukube/machinery/time.h"

namespace ukube::kubelet::stats {
namespace {

namespace json = boost::json;

std::string timestamp(int64_t ns) {
  return machinery::format_time(machinery::Clock::time_point(
      std::chrono::duration_cast<machinery::Clock::duration>(std::chrono::nanoseconds(ns))));
}

json::object cpu_json(const CpuUsage& cpu) {
  json::object out{{"time", timestamp(cpu.time_ns)}};
  if (cpu.usage_nano_cores) out["usageNanoCores"] = *cpu.usage_nano_cores;
  out["usageCoreNanoSeconds"] = cpu.usage_core_nanoseconds;
  return out;
}

json::object memory_json(const MemoryUsage& memory) {
  json::object out{{"time", timestamp(memory.time_ns)}};
  if (memory.available_bytes) out["availableBytes"] = *memory.available_bytes;
  if (memory.usage_bytes) out["usageBytes"] = *memory.usage_bytes;
  out["workingSetBytes"] = memory.working_set_bytes;
  if (memory.rss_bytes) out["rssBytes"] = *memory.rss_bytes;
  return out;
}

json::object fs_json(const FsUsage& fs) {
  return {{"time", timestamp(fs.time_ns)},
          {"availableBytes", fs.available_bytes},
          {"capacityBytes", fs.capacity_bytes},
          {"usedBytes", fs.used_bytes},
          {"inodesFree", fs.inodes_free},
          {"inodes", fs.inodes},
          {"inodesUsed", fs.inodes - std::min(fs.inodes, fs.inodes_free)}};
}

// The value of a "Name:   123 kB" line of /proc/meminfo, in bytes.
std::optional<uint64_t> meminfo_value(std::string_view line) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(colon + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc()) return std::nullopt;
  if (std::string_view(end, rest.data() + rest.size()).find("kB") != std::string_view::npos) value *= 1024;
  return value;
}

std::string escape_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

int64_t millis(int64_t ns) {
  return ns / 1000000;
}

// One metric family: HELP and TYPE, then its samples in upstream's order (by label values).
class Family {
 public:
  Family(std::string name, std::string help, std::string type)
      : name_(std::move(name)), help_(std::move(help)), type_(std::move(type)) {}
  void add(const std::string& labels, double value, std::optional<int64_t> time_ns) {
    std::string line = name_ + labels + " " + go_float(value);
    if (time_ns) line += " " + std::to_string(millis(*time_ns));
    samples_.emplace(labels, line + "\n");
  }
  void write(std::string& out) const {
    if (samples_.empty()) return;
    out += "# HELP " + name_ + " " + help_ + "\n# TYPE " + name_ + " " + type_ + "\n";
    for (const auto& [labels, line] : samples_) out += line;
  }

 private:
  std::string name_, help_, type_;
  std::multimap<std::string, std::string> samples_;
};

std::string container_labels(const PodUsage& pod, const ContainerUsage& c) {
  return "{container=\"" + escape_label(c.name) + "\",namespace=\"" + escape_label(pod.namespace_) +
         "\",pod=\"" + escape_label(pod.name) + "\"}";
}

std::string pod_labels(const PodUsage& pod) {
  return "{namespace=\"" + escape_label(pod.namespace_) + "\",pod=\"" + escape_label(pod.name) + "\"}";
}

}  // namespace

std::optional<uint64_t> nano_cores(uint64_t before_core_ns, int64_t before_ns, uint64_t after_core_ns,
                                   int64_t after_ns) {
  if (after_ns <= before_ns || after_core_ns < before_core_ns) return std::nullopt;
  // In double: core-nanoseconds times 1e9 overflow 64 bits after a few seconds of CPU.
  const double rate =
      static_cast<double>(after_core_ns - before_core_ns) * 1e9 / static_cast<double>(after_ns - before_ns);
  return static_cast<uint64_t>(rate + 0.5);
}

CpuUsage pod_cpu(const PodUsage& pod) {
  CpuUsage out;
  uint64_t rate = 0;
  bool every_rate = !pod.containers.empty();
  for (const auto& c : pod.containers) {
    out.time_ns = std::max(out.time_ns, c.cpu.time_ns);
    out.usage_core_nanoseconds += c.cpu.usage_core_nanoseconds;
    if (c.cpu.usage_nano_cores)
      rate += *c.cpu.usage_nano_cores;
    else
      every_rate = false;
  }
  if (every_rate) out.usage_nano_cores = rate;
  return out;
}

MemoryUsage pod_memory(const PodUsage& pod) {
  MemoryUsage out;
  uint64_t usage = 0, rss = 0;
  bool every_usage = true, every_rss = true;
  for (const auto& c : pod.containers) {
    out.time_ns = std::max(out.time_ns, c.memory.time_ns);
    out.working_set_bytes += c.memory.working_set_bytes;
    if (c.memory.usage_bytes) usage += *c.memory.usage_bytes;
    every_usage = every_usage && c.memory.usage_bytes;
    if (c.memory.rss_bytes) rss += *c.memory.rss_bytes;
    every_rss = every_rss && c.memory.rss_bytes;
  }
  if (every_usage) out.usage_bytes = usage;
  if (every_rss) out.rss_bytes = rss;
  return out;
}

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  ProcStat out;
  bool found_cpu = false;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "cpu") {
      // user nice system idle iowait irq softirq steal (guest time is already in user).
      uint64_t value = 0;
      for (int i = 0; i < 8 && fields >> value; ++i)
        if (i != 3 && i != 4) out.busy_ticks += value;
      found_cpu = true;
    } else if (key == "btime") {
      fields >> out.boot_time_s;
    }
  }
  if (!found_cpu) return std::nullopt;
  return out;
}

std::optional<MemInfo> parse_meminfo(std::string_view text) {
  MemInfo out;
  bool found_total = false;
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    auto value = meminfo_value(line);
    if (!value) continue;
    auto is = [&](std::string_view name) { return line.substr(0, line.find(':')) == name; };
    if (is("MemTotal")) {
      out.total = *value;
      found_total = true;
    } else if (is("MemFree")) {
      out.free = *value;
    } else if (is("MemAvailable")) {
      out.available = *value;
    } else if (is("Buffers")) {
      out.buffers = *value;
    } else if (is("Cached")) {
      out.cached = *value;
    } else if (is("Inactive(file)")) {
      out.inactive_file = *value;
    }
  }
  if (!found_total) return std::nullopt;
  return out;
}

MemoryUsage node_memory(const MemInfo& info, int64_t time_ns) {
  MemoryUsage out;
  out.time_ns = time_ns;
  const uint64_t usage = info.total - std::min(info.total, info.free);
  out.usage_bytes = usage;
  out.working_set_bytes = usage - std::min(usage, info.inactive_file);
  out.rss_bytes = usage - std::min(usage, info.buffers + info.cached);
  out.available_bytes = info.total - out.working_set_bytes;
  return out;
}

std::string summary_json(const Summary& summary, bool only_cpu_and_memory) {
  const NodeUsage& n = summary.node;
  json::object node{{"nodeName", n.name},
                    {"startTime", timestamp(n.start_ns)},
                    {"cpu", cpu_json(n.cpu)},
                    {"memory", memory_json(n.memory)}};
  if (!only_cpu_and_memory) {
    if (n.fs) node["fs"] = fs_json(*n.fs);
    if (n.image_fs) node["runtime"] = json::object{{"imageFs", fs_json(*n.image_fs)}};
  }
  json::array pods;
  for (const auto& p : summary.pods) {
    json::array containers;
    for (const auto& c : p.containers)
      containers.push_back(json::object{{"name", c.name},
                                        {"startTime", timestamp(c.start_ns)},
                                        {"cpu", cpu_json(c.cpu)},
                                        {"memory", memory_json(c.memory)}});
    pods.push_back(
        json::object{{"podRef", json::object{{"name", p.name}, {"namespace", p.namespace_}, {"uid", p.uid}}},
                     {"startTime", timestamp(p.start_ns)},
                     {"containers", std::move(containers)},
                     {"cpu", cpu_json(pod_cpu(p))},
                     {"memory", memory_json(pod_memory(p))}});
  }
  return json::serialize(json::object{{"node", std::move(node)}, {"pods", std::move(pods)}});
}

std::string resource_metrics(const Summary& summary) {
  Family container_cpu("container_cpu_usage_seconds_total",
                       "[STABLE] Cumulative cpu time consumed by the container in core-seconds", "counter");
  Family container_memory("container_memory_working_set_bytes",
                          "[STABLE] Current working set of the container in bytes", "gauge");
  Family container_start("container_start_time_seconds",
                         "[STABLE] Start time of the container since unix epoch in seconds", "gauge");
  Family node_cpu("node_cpu_usage_seconds_total",
                  "[STABLE] Cumulative cpu time consumed by the node in core-seconds", "counter");
  Family node_memory("node_memory_working_set_bytes", "[STABLE] Current working set of the node in bytes",
                     "gauge");
  Family pod_cpu_family("pod_cpu_usage_seconds_total",
                        "[STABLE] Cumulative cpu time consumed by the pod in core-seconds", "counter");
  Family pod_memory_family("pod_memory_working_set_bytes", "[STABLE] Current working set of the pod in bytes",
                           "gauge");
  Family scrape_error("resource_scrape_error",
                      "[STABLE] 1 if there was an error while getting container metrics, 0 otherwise",
                      "gauge");

  const NodeUsage& n = summary.node;
  node_cpu.add("", static_cast<double>(n.cpu.usage_core_nanoseconds) / 1e9, n.cpu.time_ns);
  node_memory.add("", static_cast<double>(n.memory.working_set_bytes), n.memory.time_ns);
  for (const auto& p : summary.pods) {
    for (const auto& c : p.containers) {
      const std::string labels = container_labels(p, c);
      container_cpu.add(labels, static_cast<double>(c.cpu.usage_core_nanoseconds) / 1e9, c.cpu.time_ns);
      container_memory.add(labels, static_cast<double>(c.memory.working_set_bytes), c.memory.time_ns);
      if (c.start_ns > 0) container_start.add(labels, static_cast<double>(c.start_ns) / 1e9, c.start_ns);
    }
    if (p.containers.empty()) continue;
    const CpuUsage cpu = pod_cpu(p);
    const MemoryUsage memory = pod_memory(p);
    pod_cpu_family.add(pod_labels(p), static_cast<double>(cpu.usage_core_nanoseconds) / 1e9, cpu.time_ns);
    pod_memory_family.add(pod_labels(p), static_cast<double>(memory.working_set_bytes), memory.time_ns);
  }
  scrape_error.add("", 0, std::nullopt);

  std::string out;
  for (const Family* f : {&container_cpu, &container_memory, &container_start, &node_cpu, &node_memory,
                          &pod_cpu_family, &pod_memory_family, &scrape_error})
    f->write(out);
  return out;
}

std::string go_float(double value) {
  if (value == 0) return "0";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string scientific(buffer, end);
  const auto e = scientific.find('e');
  const int exponent = std::stoi(scientific.substr(e + 1));
  // Go's shortest %g: exponent notation below 1e-4 and from 1e6 (its fixed precision 6).
  if (exponent < -4 || exponent >= 6) return scientific;
  auto fixed = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  return std::string(buffer, fixed.ptr);
}

}  // namespace ukube::kubelet::stats
