#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "machine_info.h"

namespace ukube::kubelet {

class KubeletConfig;

// The kubelet's config with every default applied (config.proto documents them).
struct KubeletSettings {
  std::vector<std::string> node_names;
  std::string runtime;  // empty: the one runtime plugin enabled
  std::string network;  // empty: the one network plugin enabled, if any; "none"
  std::vector<std::string> cluster_dns{"10.43.0.10"};
  std::string cluster_domain = "cluster.local";
  std::string resolv_conf = "/etc/resolv.conf";
  std::string node_ip = "127.0.0.1";
  std::map<std::string, std::string> node_labels;
  std::vector<std::string> taints;
  std::map<std::string, std::string> capacity;  // cpu, memory, ephemeral-storage, pods
  std::map<std::string, std::string> system_reserved;
  std::map<std::string, std::string> kube_reserved;
  std::chrono::seconds lease_renew{10};
  int32_t lease_duration_seconds = 40;
  std::chrono::seconds status_update{10};
  std::chrono::seconds status_report{300};
  unsigned workers = 8;
  unsigned probe_threads = 4;
  std::chrono::seconds relist{60};
  std::string server_address;   // default: node_ip
  uint16_t port = 10250;        // once serving, the port in use (0: no server)
  std::string static_pod_path;  // empty: <data dir>/pod-manifests
  std::string static_pod_url;
  // signal -> threshold (eviction.h); upstream's defaults
  std::map<std::string, std::string> eviction_hard{{"memory.available", "100Mi"},
                                                   {"nodefs.available", "10%"}};
};

// Throws std::invalid_argument naming the field when a value is unusable.
KubeletSettings kubelet_settings(const KubeletConfig& config, const MachineInfo& machine);

}  // namespace ukube::kubelet
