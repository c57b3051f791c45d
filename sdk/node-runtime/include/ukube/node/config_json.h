#pragma once

#include <boost/json/object.hpp>

#include "ukube/runtime/types.h"

// The CRI configs the kubelet passed, as JSON in each sandbox's and container's state
// folder: a restarted daemon reports the same metadata, labels and annotations from them.
namespace ukube::runtime::node {

boost::json::object to_json(const PodSandboxConfig& config);
boost::json::object to_json(const ContainerConfig& config);
// Lenient: members missing from an older record take their defaults.
PodSandboxConfig sandbox_config_from_json(const boost::json::object& o);
ContainerConfig container_config_from_json(const boost::json::object& o);

}  // namespace ukube::runtime::node
