#pragma once

#include <map>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "runtime_view.h"

// The status a kubelet reports for a pod (upstream's generateAPIPodStatus and getPhase):
// phase, the PodReadyToStartContainers / Initialized / ContainersReady / Ready
// conditions, IPs, and a status per container from what the runtime shows.
namespace ukube::kubelet {

// Why a container is waiting, when the kubelet knows better than "ContainerCreating":
// ErrImagePull, ImagePullBackOff, CrashLoopBackOff, CreateContainerConfigError, ...
struct WaitingReason {
  std::string reason;
  std::string message;
};

// What the probes say of a running container; a container without probes is started and
// ready once running.
struct ContainerHealth {
  bool started = true;
  bool ready = true;
};

// The kubelet ended the pod itself (upstream's activeDeadlineHandler or eviction manager):
// phase Failed with this reason and message; an eviction adds the DisruptionTarget condition.
struct PodFailure {
  std::string reason;  // DeadlineExceeded, Evicted
  std::string message;
  bool disruption = false;  // DisruptionTarget True, reason TerminationByKubelet
};

struct PodStatusInputs {
  const boost::json::object* pod = nullptr;
  const PodRuntime* runtime = nullptr;            // this pod's sandboxes and containers (its uid only)
  std::map<std::string, WaitingReason> waiting;   // by container name
  std::map<std::string, ContainerHealth> health;  // by container name; absent: no probes
  std::string runtime_name;                       // containerID prefix: <name>://<id>
  std::string node_ip;
  std::string now;  // RFC 3339
  std::optional<PodFailure> failure{};
};

// An init container with restartPolicy Always: a sidecar, which keeps running beside the
// app containers instead of running to completion before them.
bool is_sidecar(const boost::json::object& container);

boost::json::object compute_pod_status(const PodStatusInputs& in);

// The phase upstream's getPhase gives, never leaving Succeeded or Failed once reached.
std::string compute_phase(const boost::json::object& pod_spec, const boost::json::object& status,
                          const std::string& previous_phase);

}  // namespace ukube::kubelet
