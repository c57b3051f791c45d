#include "pod_network.h"

namespace ukube::kubelet {

network::PodNetwork pod_network_of(const runtime::PodSandboxStatus& sandbox,
                                   const runtime::PodSandboxConfig* config) {
  network::PodNetwork pod;
  pod.sandbox_id = sandbox.id;
  pod.netns = sandbox.network_namespace;
  pod.pod_name = sandbox.metadata.name;
  pod.pod_namespace = sandbox.metadata.namespace_;
  pod.pod_uid = sandbox.metadata.uid;
  if (config)
    for (const auto& port : config->port_mappings)
      if (port.host_port > 0) pod.port_mappings.push_back(port);
  return pod;
}

std::optional<std::string> network_problem(network::NetworkDriver* network) {
  if (!network) return std::nullopt;
  network::NetworkStatus status;
  try {
    status = network->status();
  } catch (const std::exception& e) {
    status = {false, "NetworkPluginNotReady", e.what()};
  }
  if (status.ready) return std::nullopt;
  return "NetworkReady=false reason:" + (status.reason.empty() ? "NetworkPluginNotReady" : status.reason) +
         " message:" + status.message;
}

}  // namespace ukube::kubelet
