#pragma once

#include <functional>
#include <string>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"

// Pod helpers every component reading pods shares.
namespace ukube::machinery {

enum class PodReference { Secret, ConfigMap, Claim, ServiceAccount };

// Every object a pod's spec names (image pull secrets, env and envFrom sources, volumes,
// projected sources, claims including generic ephemeral ones, the service account), as
// upstream's pod visitors find them. Empty names are skipped.
UKUBE_MACHINERY_API void visit_pod_references(
    const boost::json::object& pod,
    const std::function<void(PodReference kind, const std::string& name)>& visit);

// The pod's QoS class as upstream computes it from its containers' and init containers'
// cpu and memory: "BestEffort" with no requests or limits, "Guaranteed" when every
// container limits both and the requests equal the limits, else "Burstable".
UKUBE_MACHINERY_API std::string pod_qos_class(const boost::json::object& pod_spec);

}  // namespace ukube::machinery
