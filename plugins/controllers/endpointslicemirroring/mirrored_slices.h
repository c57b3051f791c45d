#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

// The EndpointSlices upstream's EndpointSliceMirroring controller makes of a core/v1
// Endpoints object that a Service without a selector has (its endpoints are the user's):
// one group of slices per address type and port set of its subsets, each address an
// endpoint (ready for addresses, not ready for notReadyAddresses, with its hostname,
// nodeName and targetRef), at most `max_per_subset` addresses mirrored per subset and
// per slice. Slices carry the Endpoints' labels and annotations (but the trigger time and
// kubectl's last-applied configuration), the Service's name, this controller's
// managed-by label, and a controller reference to the Endpoints.
namespace ukube::controllers::mirroring {

// The endpointslice.kubernetes.io/managed-by value of the mirrored slices.
inline constexpr const char* kControllerName = "endpointslicemirroring-controller.k8s.io";
// On an Endpoints object: do not mirror it ("true"); the API server sets it on
// default/kubernetes, whose slice it writes itself.
inline constexpr const char* kSkipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror";

struct DesiredSlice {
  std::string key;            // address type and port set: slices of one key are interchangeable
  boost::json::object slice;  // without name or resourceVersion
};

struct MirrorResult {
  std::vector<DesiredSlice> slices;
  size_t skipped = 0;  // addresses over the limit or not IP addresses
};

MirrorResult mirror(const boost::json::object& endpoints, size_t max_per_subset);

// The key of an existing slice, comparable with DesiredSlice::key.
std::string slice_key(const boost::json::object& slice);
// The slice already says what `desired` says (labels, annotations, owner, endpoints).
bool same_content(const boost::json::object& slice, const boost::json::object& desired);
// Whether the Endpoints object is to be mirrored at all (no skip-mirror label).
bool wants_mirroring(const boost::json::object& endpoints);

}  // namespace ukube::controllers::mirroring
