#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "ukube/runtime/types.h"

// The Linux part of a container's config, as upstream's kubelet derives it from the pod
// spec (kuberuntime's generateLinuxContainerConfig): cgroup resources from requests and
// limits, the security context from the pod's and the container's, and the pod's cgroup
// under the kubepods hierarchy by QoS class.
namespace ukube::kubelet {

// CPU shares from the request (the limit when no request; 2 with neither), a CFS quota
// from the CPU limit over a 100 ms period, the memory limit.
runtime::Resources container_resources(const boost::json::object& container);

// The container's securityContext over the pod's (runAsUser, runAsGroup; supplementalGroups
// and fsGroup come from the pod only).
runtime::SecurityContext container_security(const boost::json::object& pod_spec,
                                            const boost::json::object& container);

// "/kubepods/pod<uid>" for Guaranteed pods, "/kubepods/burstable/pod<uid>" and
// "/kubepods/besteffort/pod<uid>" for the others, as upstream's cgroupfs driver names them.
std::string pod_cgroup_parent(const boost::json::object& pod);

}  // namespace ukube::kubelet
