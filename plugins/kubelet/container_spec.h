#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/client.h"
#include "ukube/runtime/types.h"

// How a pod spec becomes the runtime's sandbox and container configs (upstream's
// kuberuntime generate* functions): identity labels, the log layout, environment with
// $(VAR) expansion.
namespace ukube::kubelet {

struct ClusterDns;

struct PodContext {
  const boost::json::object* pod = nullptr;
  std::string node_name;
  std::string node_ip;
  std::string pod_ip;
  std::string logs_root;  // <kubelet root>/pods-logs
  // The pod's volumes on the host by name, for the containers' mounts; null: no volumes.
  const std::map<std::string, std::string>* volume_paths = nullptr;
  // The Service variables every container starts with (service_env.h); null: none.
  const std::vector<runtime::KeyValue>* service_env = nullptr;
  // The cluster's DNS, for the sandbox's resolv.conf (pod_dns.h); null: the runtime's default.
  const ClusterDns* dns = nullptr;
};

// A ConfigMap or Secret the pod's environment names; null when it does not exist.
using ObjectLookup =
    std::function<ObjectPtr(const std::string& kind, const std::string& ns, const std::string& name)>;

runtime::PodSandboxConfig sandbox_config(const PodContext& pod, uint32_t attempt);

// A container's spec hash: a stable digest of its spec, so a changed spec (a new image)
// means a new container, also after a restart of the daemon.
std::string container_hash(const boost::json::object& container);

// Throws std::runtime_error with upstream's CreateContainerConfigError wording when a
// referenced ConfigMap, Secret or key is missing.
runtime::ContainerConfig container_config(const PodContext& pod, const boost::json::object& container,
                                          uint32_t attempt, const ObjectLookup& lookup);

// A fieldRef's value (metadata.name, status.podIP, metadata.labels['x'], ...); throws
// std::runtime_error for a path the downward API does not offer.
std::string field_ref(const PodContext& pod, const std::string& path);
// A resourceFieldRef's value (limits.cpu, requests.memory, ...) for `container`, in its divisor's units.
std::string resource_field_ref(const boost::json::object& container, const boost::json::object& ref);

// $(VAR) expansion as upstream's expansion package: defined references are replaced,
// $$ escapes a $, undefined references stay as written.
std::string expand_vars(const std::string& input, const std::map<std::string, std::string>& vars);

}  // namespace ukube::kubelet
