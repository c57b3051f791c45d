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

}  // namespace ukube::machinery
