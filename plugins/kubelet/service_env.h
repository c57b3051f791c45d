#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ukube/informer.h"
#include "ukube/runtime/types.h"

// The Service environment variables upstream's kubelet gives every container
// (FOO_SERVICE_HOST, FOO_SERVICE_PORT, and the Docker-links style FOO_PORT_80_TCP...): for
// the Services of the pod's namespace while spec.enableServiceLinks is true (the default),
// and always for default/kubernetes, so in-cluster clients find the API server.
namespace ukube::kubelet {

// `services` is the shared Service informer; the variables come sorted by Service name,
// the container's own env then overrides them.
std::vector<runtime::KeyValue> service_env(const boost::json::object& pod, const Informer& services);

}  // namespace ukube::kubelet
