#pragma once

#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "ukube/machinery/service_endpoints.h"

// discovery.k8s.io/v1 EndpointSlices as upstream's EndpointSlice controller writes them:
// one endpoint per pod, the slices of a Service grouped by address type and port set,
// labelled with the Service's name and this controller's, owned by the Service.
namespace ukube::controllers::endpointslice {

// The endpointslice.kubernetes.io/managed-by value of this controller's slices.
inline constexpr const char* kControllerName = "endpointslice-controller.k8s.io";

// {"addresses", "conditions": {ready, serving, terminating}, "targetRef", and nodeName,
// zone and hostname when known}.
boost::json::object endpoint_json(const machinery::PodEndpoint& endpoint, const std::string& zone);

// What identifies an endpoint within its slices (upstream's endpoint hash): its addresses,
// hostname and target pod. Endpoints that differ only in other fields are updated in place.
std::string endpoint_identity(const boost::json::object& endpoint);
// The fields outside the identity agree: nodeName, zone, the three conditions, and the
// target reference apart from its resourceVersion.
bool endpoints_equal_beyond_identity(const boost::json::object& a, const boost::json::object& b);

// A slice's ports in a fixed order, so that equal port sets compare and print alike.
std::vector<machinery::EndpointPort> sorted_ports(std::vector<machinery::EndpointPort> ports);
boost::json::array ports_json(const std::vector<machinery::EndpointPort>& sorted);
// The key slices of one port set share (upstream's PortMapKey).
std::string port_set_key(const std::vector<machinery::EndpointPort>& sorted);
// The ports of an existing slice, sorted.
std::vector<machinery::EndpointPort> slice_ports(const boost::json::object& slice);

// The labels a slice of the Service carries: the Service's own (except the reserved
// service-name, managed-by and headless keys), the headless label when it has no cluster
// IP, the Service's name and this controller's. `.second` tells whether the non-reserved
// labels differ from the slice's (upstream updates a slice for that alone).
std::pair<boost::json::object, bool> slice_labels(const boost::json::object& slice,
                                                  const boost::json::object& service);

// A new, unnamed slice of the Service (generateName "<service>-"), controlled by it,
// with `ports` (sorted) and no endpoints.
boost::json::object new_slice(const boost::json::object& service, const boost::json::array& ports,
                              machinery::IPFamily family);
// The slice has an owner reference to this very Service (by uid).
bool owned_by(const boost::json::object& slice, const boost::json::object& service);
// Whether this controller manages the slice (its managed-by label).
bool managed_by_controller(const boost::json::object& slice);
// "namespace/<kubernetes.io/service-name>", "" without the label.
std::string service_key_of(const boost::json::object& slice);
size_t endpoint_count(const boost::json::object& slice);
int64_t generation_of(const boost::json::object& slice);

}  // namespace ukube::controllers::endpointslice
