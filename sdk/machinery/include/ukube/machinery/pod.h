#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"
#include "ukube/machinery/time.h"

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

// status.phase ("" when unset).
UKUBE_MACHINERY_API std::string pod_phase(const boost::json::object& pod);
// Succeeded and Failed are final: a pod never leaves them.
inline bool is_terminal_phase(std::string_view phase) {
  return phase == "Succeeded" || phase == "Failed";
}
UKUBE_MACHINERY_API bool is_pod_terminal(const boost::json::object& pod);
// Neither terminal nor being deleted: a pod a controller still counts (upstream's
// controller.IsPodActive).
UKUBE_MACHINERY_API bool is_pod_active(const boost::json::object& pod);

// Its Ready condition is True (upstream's IsPodReady).
UKUBE_MACHINERY_API bool is_pod_ready(const boost::json::object& pod);
// Ready for longer than `min_ready_seconds` at `now` (upstream's IsPodAvailable): ready at
// once when min_ready_seconds is 0, never when the Ready condition has no transition time.
UKUBE_MACHINERY_API bool is_pod_available(const boost::json::object& pod, int32_t min_ready_seconds,
                                          Clock::time_point now);

}  // namespace ukube::machinery
