#pragma once

#include <string>

#include <boost/json/object.hpp>

// Upstream's defaults for PodSpec wherever it appears (pods and every pod template), plus
// what admission adds to real pods only.
namespace ukube::builtin {

void default_pod_spec(boost::json::object& spec);
// A pod template: its spec gets the PodSpec defaults.
void default_pod_template(boost::json::object& pod_template);
// A Pod object: PodSpec defaults, the admission-time defaults (service account, priority,
// not-ready/unreachable tolerations) and the initial status (phase Pending, QoS class).
void default_pod(boost::json::object& pod);

// Always for images without a tag or with tag latest, else IfNotPresent.
std::string default_pull_policy(std::string_view image);

}  // namespace ukube::builtin
