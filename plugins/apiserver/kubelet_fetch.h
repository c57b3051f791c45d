#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "kubelet_proxy.h"

// A blocking HTTPS GET to a kubelet, for the API server's own reads of its usage figures
// (metrics.k8s.io): the client certificate the proxy uses, and the kubelet's certificate
// verified against the cluster CA and its address, as the proxy does. Runs on a worker thread.
namespace ukube::apiserver {

// The body of a 200 answer to GET `target`. Throws std::runtime_error saying which
// kubelet failed and how (unreachable, certificate refused, an error status and its body).
std::string kubelet_get(const std::string& node, const KubeletEndpoint& kubelet, const std::string& target,
                        const KubeletClientCredentials& credentials, std::chrono::seconds timeout);

}  // namespace ukube::apiserver
