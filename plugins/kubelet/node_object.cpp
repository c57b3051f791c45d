#include "node_object.h"

#include <boost/json.hpp>
#include <stdexcept>

#include "eviction.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/quantity.h"
#include "ukube/machinery/release.h"
#include "ukube/machinery/resource_list.h"

namespace ukube::kubelet {
namespace json = boost::json;
namespace {

json::object condition(const char* type, bool status, const char* reason, const std::string& message,
                       const std::string& now) {
  return {{"type", type},
          {"status", status ? "True" : "False"},
          {"lastHeartbeatTime", now},
          {"reason", reason},
          {"message", message}};
}

machinery::ResourceList to_resources(const std::map<std::string, std::string>& in) {
  machinery::ResourceList out;
  for (const auto& [name, text] : in)
    if (auto q = machinery::Quantity::parse(text)) out[name] = *q;
  return out;
}

json::object allocatable(const KubeletSettings& s) {
  machinery::ResourceList capacity = to_resources(s.capacity);
  machinery::ResourceList held =
      machinery::add(to_resources(s.system_reserved), to_resources(s.kube_reserved));
  // The hard eviction thresholds are held back too, as upstream: a node filled to its
  // allocatable is not yet evicting.
  machinery::ResourceList eviction;
  for (const auto& t : eviction::parse_thresholds(s.eviction_hard)) {
    const std::string resource = t.signal == "memory.available" ? "memory" : "ephemeral-storage";
    auto cap = capacity.find(resource);
    if (t.bytes)
      eviction[resource] = machinery::Quantity::of(*t.bytes, machinery::QuantityFormat::BinarySI);
    else if (cap != capacity.end())
      eviction[resource] = machinery::Quantity::of(
          static_cast<int64_t>(static_cast<double>(cap->second.value()) * *t.percentage));
  }
  machinery::ResourceList result = machinery::subtract_non_negative(capacity, machinery::add(held, eviction));
  // Keep every capacity entry, even one reserved away entirely, as upstream does.
  for (const auto& [name, q] : capacity)
    if (!result.count(name)) result[name] = machinery::Quantity();
  return machinery::to_json(result);
}

json::array node_images(const std::vector<runtime::Image>& images) {
  // Upstream reports at most 50 images, largest first.
  std::vector<const runtime::Image*> sorted;
  for (const auto& i : images) sorted.push_back(&i);
  std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->size > b->size; });
  json::array out;
  for (const auto* image : sorted) {
    if (out.size() == 50) break;
    json::array names;
    for (const auto& d : image->repo_digests) names.emplace_back(d);
    for (const auto& t : image->repo_tags) names.emplace_back(t);
    if (names.empty()) names.emplace_back(image->id);
    out.emplace_back(
        json::object{{"names", std::move(names)}, {"sizeBytes", static_cast<int64_t>(image->size)}});
  }
  return out;
}

}  // namespace

json::object node_status(const NodeFacts& f, const json::object* previous, const std::string& now) {
  const KubeletSettings& s = *f.settings;
  json::object capacity;
  for (const auto& [name, value] : s.capacity) capacity[name] = value;
  capacity["hugepages-1Gi"] = "0";
  capacity["hugepages-2Mi"] = "0";
  json::object alloc = allocatable(s);
  alloc["hugepages-1Gi"] = "0";
  alloc["hugepages-2Mi"] = "0";

  const bool ready = f.runtime_ready && f.network_problem.empty();
  const std::string ready_message = !f.runtime_ready ? "container runtime not ready: " + f.runtime_problem
                                    : !f.network_problem.empty()
                                        ? "container runtime network not ready: " + f.network_problem
                                        : "kubelet is posting ready status";
  // The previous report's conditions keep their transition times while unchanged.
  const auto* before = previous ? machinery::array_at(*previous, {"conditions"}) : nullptr;
  json::array conditions = before ? *before : json::array{};
  auto set = [&](json::object c) { machinery::set_condition(conditions, std::move(c), now); };
  set(f.memory_pressure ? condition("MemoryPressure", true, "KubeletHasInsufficientMemory",
                                    "kubelet has insufficient memory available", now)
                        : condition("MemoryPressure", false, "KubeletHasSufficientMemory",
                                    "kubelet has sufficient memory available", now));
  set(f.disk_pressure
          ? condition("DiskPressure", true, "KubeletHasDiskPressure", "kubelet has disk pressure", now)
          : condition("DiskPressure", false, "KubeletHasNoDiskPressure", "kubelet has no disk pressure",
                      now));
  set(condition("PIDPressure", false, "KubeletHasSufficientPID", "kubelet has sufficient PID available",
                now));
  set(condition("Ready", ready, ready ? "KubeletReady" : "KubeletNotReady", ready_message, now));
  const MachineInfo& m = *f.machine;
  json::object info{
      {"machineID", m.machine_id},
      {"systemUUID", m.system_uuid},
      {"bootID", m.boot_id},
      {"kernelVersion", m.kernel_version},
      {"osImage", m.os_image},
      {"containerRuntimeVersion", f.runtime_version.runtime_name + "://" + f.runtime_version.runtime_version},
      {"kubeletVersion", machinery::kGitVersion},
      {"kubeProxyVersion", machinery::kGitVersion},
      {"operatingSystem", "linux"},
      {"architecture", m.architecture}};
  return {{"capacity", std::move(capacity)},
          {"allocatable", std::move(alloc)},
          {"conditions", std::move(conditions)},
          {"addresses", json::array{json::object{{"type", "InternalIP"}, {"address", s.node_ip}},
                                    json::object{{"type", "Hostname"}, {"address", f.node_name}}}},
          {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", s.port}}}}},
          {"nodeInfo", std::move(info)},
          {"images", node_images(f.images)}};
}

json::object without_heartbeats(json::object status) {
  if (auto* conditions = machinery::mutable_array(status, "conditions"))
    for (auto& c : *conditions)
      if (auto* o = c.if_object()) o->erase("lastHeartbeatTime");
  return status;
}

json::object node_registration(const NodeFacts& f, const std::string& now) {
  const KubeletSettings& s = *f.settings;
  json::object labels{{"kubernetes.io/hostname", f.node_name},
                      {"kubernetes.io/os", "linux"},
                      {"kubernetes.io/arch", f.machine->architecture},
                      {"beta.kubernetes.io/os", "linux"},
                      {"beta.kubernetes.io/arch", f.machine->architecture}};
  for (const auto& [k, v] : s.node_labels) labels[k] = v;
  json::object spec;
  if (!s.taints.empty()) {
    json::array taints;
    for (const auto& t : s.taints) taints.emplace_back(parse_taint_spec(t));
    spec["taints"] = std::move(taints);
  }
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata",
           {{"name", f.node_name},
            {"labels", std::move(labels)},
            {"annotations", {{"volumes.kubernetes.io/controller-managed-attach-detach", "true"}}}}},
          {"spec", std::move(spec)},
          {"status", node_status(f, nullptr, now)}};
}

json::object parse_taint_spec(const std::string& spec) {
  const auto colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw std::invalid_argument("kubelet config: register_with_taints: \"" + spec +
                                "\" is not a taint; write key=value:Effect or key:Effect");
  const std::string effect = spec.substr(colon + 1);
  if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute")
    throw std::invalid_argument("kubelet config: register_with_taints: \"" + spec + "\": effect \"" + effect +
                                "\" is not one of NoSchedule, PreferNoSchedule, NoExecute");
  const std::string key_value = spec.substr(0, colon);
  const auto eq = key_value.find('=');
  json::object taint{{"key", key_value.substr(0, eq)}, {"effect", effect}};
  if (eq != std::string::npos) taint["value"] = key_value.substr(eq + 1);
  return taint;
}

}  // namespace ukube::kubelet
