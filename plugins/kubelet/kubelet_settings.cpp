#include "kubelet_settings.h"

#include "eviction.h"

#include <stdexcept>

#include "kubelet/config.pb.h"
#include "node_object.h"
#include "ukube/machinery/names.h"
#include "ukube/machinery/quantity.h"

namespace ukube::kubelet {
namespace {

std::chrono::seconds seconds_or(uint32_t value, int64_t fallback) {
  return std::chrono::seconds(value > 0 ? value : fallback);
}

void check_quantity(const std::string& field, const std::string& value) {
  if (!machinery::Quantity::parse(value))
    throw std::invalid_argument("kubelet config: " + field + ": \"" + value +
                                "\" is not a quantity; write it as Kubernetes does (2, 500m, 4Gi)");
}

std::map<std::string, std::string> checked_resources(
    const std::string& field, const google::protobuf::Map<std::string, std::string>& in) {
  std::map<std::string, std::string> out(in.begin(), in.end());
  for (const auto& [name, value] : out) check_quantity(field + "." + name, value);
  return out;
}

}  // namespace

KubeletSettings kubelet_settings(const KubeletConfig& config, const MachineInfo& machine) {
  KubeletSettings s;
  const std::string base = config.node_name().empty() ? machine.hostname : config.node_name();
  const uint32_t nodes = config.nodes() > 0 ? config.nodes() : 1;
  for (uint32_t i = 0; i < nodes; ++i) {
    std::string name = nodes == 1 ? base : base + "-" + std::to_string(i);
    if (auto problems = machinery::dns1123_subdomain_errors(name); !problems.empty())
      throw std::invalid_argument("kubelet config: node_name: \"" + name + "\" is not a valid node name: " +
                                  problems.front() + "; set node_name to a lower-case DNS name");
    s.node_names.push_back(std::move(name));
  }
  s.runtime = config.runtime();
  s.network = config.network();
  if (!config.cluster_dns().empty())
    s.cluster_dns.assign(config.cluster_dns().begin(), config.cluster_dns().end());
  if (!config.cluster_domain().empty()) s.cluster_domain = config.cluster_domain();
  if (!config.resolv_conf().empty()) s.resolv_conf = config.resolv_conf();
  if (!config.node_ip().empty()) s.node_ip = config.node_ip();
  s.node_labels.insert(config.node_labels().begin(), config.node_labels().end());
  s.taints.assign(config.register_with_taints().begin(), config.register_with_taints().end());
  for (const auto& t : s.taints) parse_taint_spec(t);  // refuses a bad one now, not at registration

  s.capacity["cpu"] = config.cpu().empty() ? std::to_string(machine.cpus) : config.cpu();
  s.capacity["memory"] =
      config.memory().empty() ? std::to_string(machine.memory_bytes / 1024) + "Ki" : config.memory();
  s.capacity["ephemeral-storage"] = config.ephemeral_storage().empty()
                                        ? std::to_string(machine.disk_bytes / 1024) + "Ki"
                                        : config.ephemeral_storage();
  s.capacity["pods"] = std::to_string(config.max_pods() > 0 ? config.max_pods() : 110);
  for (const auto& [name, value] : s.capacity) check_quantity(name, value);
  s.system_reserved = checked_resources("system_reserved", config.system_reserved());
  s.kube_reserved = checked_resources("kube_reserved", config.kube_reserved());
  s.eviction_hard =
      config.eviction_hard().empty()
          ? eviction::default_hard()
          : std::map<std::string, std::string>(config.eviction_hard().begin(), config.eviction_hard().end());
  eviction::parse_thresholds(s.eviction_hard);  // throws std::invalid_argument naming a bad one

  s.lease_renew = seconds_or(config.lease_renew_seconds(), 10);
  s.lease_duration_seconds = static_cast<int32_t>(seconds_or(config.lease_duration_seconds(), 40).count());
  s.status_update = seconds_or(config.node_status_update_seconds(), 10);
  s.status_report = seconds_or(config.node_status_report_seconds(), 300);
  s.workers = config.workers() > 0 ? config.workers() : 8;
  s.probe_threads = config.probe_threads() > 0 ? config.probe_threads() : 4;
  s.relist = seconds_or(config.relist_seconds(), 60);
  s.server_address = config.address().empty() ? s.node_ip : config.address();
  s.static_pod_path = config.static_pod_path();
  s.static_pod_url = config.static_pod_url();
  if (config.has_port()) {
    if (config.port() > 65535)
      throw std::invalid_argument("kubelet config: port: " + std::to_string(config.port()) +
                                  " is not a TCP port (0-65535)");
    s.port = static_cast<uint16_t>(config.port());
  }
  return s;
}

}  // namespace ukube::kubelet
