#pragma once

#include <optional>
#include <string>

#include "ukube/network/driver.h"
#include "ukube/runtime/types.h"

// What the kubelet hands a network driver about a sandbox, and how it words a network
// that is not ready, as upstream does.
namespace ukube::kubelet {

// The attachment request of `sandbox`; `config` adds its hostPorts (null: none, as for a
// removal, which needs none).
network::PodNetwork pod_network_of(const runtime::PodSandboxStatus& sandbox,
                                   const runtime::PodSandboxConfig* config = nullptr);

// "NetworkReady=false reason:NetworkPluginNotReady message:..." while `network` is not
// ready; nullopt when it is, or when there is no network driver.
std::optional<std::string> network_problem(network::NetworkDriver* network);

}  // namespace ukube::kubelet
