#include "eviction.h"

#include <algorithm>
#include <stdexcept>

#include "ukube/machinery/json.h"
#include "ukube/machinery/quantity.h"
#include "ukube/machinery/resource_list.h"

namespace ukube::kubelet::eviction {
namespace json = boost::json;

namespace {

std::string bytes_text(int64_t bytes) {
  return machinery::Quantity::of(bytes, machinery::QuantityFormat::BinarySI).to_string();
}

int64_t memory_of(const machinery::ResourceList& list, const std::string& resource) {
  auto it = list.find(resource);
  return it == list.end() ? 0 : it->second.value();
}

}  // namespace

std::map<std::string, std::string> default_hard() {
  return {{"memory.available", "100Mi"}, {"nodefs.available", "10%"}};
}

std::vector<Threshold> parse_thresholds(const std::map<std::string, std::string>& hard) {
  std::vector<Threshold> out;
  for (const auto& [signal, value] : hard) {
    if (signal != "memory.available" && signal != "nodefs.available")
      throw std::invalid_argument("eviction_hard: unsupported eviction signal " + signal);
    Threshold t{signal, std::nullopt, std::nullopt, value};
    if (value.ends_with("%")) {
      double percent = 0;
      try {
        percent = std::stod(value.substr(0, value.size() - 1));
      } catch (const std::exception&) {
        throw std::invalid_argument("eviction_hard: invalid percentage " + value + " for " + signal);
      }
      if (percent < 0 || percent > 100)
        throw std::invalid_argument("eviction_hard: invalid percentage " + value + " for " + signal);
      t.percentage = percent / 100;
    } else {
      auto q = machinery::Quantity::parse(value);
      if (!q) throw std::invalid_argument("eviction_hard: invalid quantity " + value + " for " + signal);
      t.bytes = q->value();
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::map<std::string, Observation> observe(const stats::Summary& usage, int64_t memory_capacity) {
  std::map<std::string, Observation> out;
  if (memory_capacity > 0) {
    const auto working_set = static_cast<int64_t>(usage.node.memory.working_set_bytes);
    out["memory.available"] = {std::max<int64_t>(0, memory_capacity - working_set), memory_capacity};
  }
  if (usage.node.fs && usage.node.fs->capacity_bytes > 0)
    out["nodefs.available"] = {static_cast<int64_t>(usage.node.fs->available_bytes),
                               static_cast<int64_t>(usage.node.fs->capacity_bytes)};
  return out;
}

std::vector<Crossed> crossed(const std::vector<Threshold>& thresholds,
                             const std::map<std::string, Observation>& observed) {
  std::vector<Crossed> out;
  for (const auto& t : thresholds) {
    auto seen = observed.find(t.signal);
    if (seen == observed.end()) continue;
    const int64_t limit =
        t.bytes ? *t.bytes : static_cast<int64_t>(*t.percentage * static_cast<double>(seen->second.capacity));
    if (seen->second.available < limit) out.push_back({&t, seen->second});
  }
  return out;
}

std::string resource_of(const std::string& signal) {
  return signal == "memory.available" ? "memory" : "ephemeral-storage";
}

void rank(std::vector<Candidate>& candidates) {
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    const bool a_exceeds = a.usage > a.request, b_exceeds = b.usage > b.request;
    if (a_exceeds != b_exceeds) return a_exceeds;
    if (a.priority != b.priority) return a.priority < b.priority;
    return a.usage - a.request > b.usage - b.request;
  });
}

Candidate candidate_of(const json::object& pod, const stats::Summary& usage, const std::string& resource) {
  Candidate c;
  c.key = machinery::string_at(pod, {"metadata", "namespace"}) + "/" +
          machinery::string_at(pod, {"metadata", "name"});
  c.uid = machinery::string_at(pod, {"metadata", "uid"});
  c.priority = static_cast<int32_t>(machinery::int_or(pod, {"spec", "priority"}, 0));
  const stats::PodUsage* used = nullptr;
  for (const auto& p : usage.pods)
    if (p.uid == c.uid) used = &p;
  machinery::for_each_object(
      machinery::array_at(pod, {"spec", "containers"}), [&](const json::object& spec, size_t) {
        Candidate::Container container{machinery::string_at(spec, {"name"}), 0,
                                       memory_of(machinery::container_requests(spec), resource)};
        if (used && resource == "memory")
          for (const auto& u : used->containers)
            if (u.name == container.name) container.usage = static_cast<int64_t>(u.memory.working_set_bytes);
        c.usage += container.usage;
        c.request += container.request;
        c.containers.push_back(std::move(container));
      });
  return c;
}

std::string message(const Crossed& crossed, const Candidate& pod) {
  const std::string resource = resource_of(crossed.threshold->signal);
  // A percentage shows as the quantity it came to, as upstream prints the threshold.
  const std::string threshold =
      crossed.threshold->bytes
          ? crossed.threshold->text
          : bytes_text(static_cast<int64_t>(*crossed.threshold->percentage *
                                            static_cast<double>(crossed.observed.capacity)));
  std::string out = "The node was low on resource: " + resource + ". Threshold quantity: " + threshold +
                    ", available: " + bytes_text(crossed.observed.available) + ". ";
  for (const auto& c : pod.containers)
    if (c.usage > c.request)
      out += "Container " + c.name + " was using " + bytes_text(c.usage) + ", request is " +
             bytes_text(c.request) + ", has larger consumption of " + resource + ". ";
  return out;
}

}  // namespace ukube::kubelet::eviction
