#pragma once

#include <vector>

#include <boost/json/object.hpp>

#include "ukube/machinery/ip.h"

// The objects the API server keeps about itself, as upstream's kube-apiserver writes them:
// the ServiceCIDR "kubernetes" with the configured ranges, and the Service default/kubernetes
// (the first address of the primary range, port https 443 to the API server's port) with
// the Endpoints and the EndpointSlice that point at it. The Endpoints carry upstream's
// skip-mirror label and the slice no managed-by label, so neither the endpoints nor the
// EndpointSlice controller takes them for its own.
namespace ukube::admission::service_allocator {

namespace json = boost::json;
using machinery::IPAddress;
using machinery::IPPrefix;

inline constexpr const char* kKubernetes = "kubernetes";
inline constexpr const char* kDefaultNamespace = "default";

json::object default_service_cidr(const std::vector<IPPrefix>& cidrs);
// The ServiceCIDR's status once it is known to hold this server's ranges.
json::object ready_service_cidr_status();
json::object kubernetes_service(const IPAddress& cluster_ip, int api_port);
json::object kubernetes_endpoints(const IPAddress& address, int api_port);
json::object kubernetes_endpoint_slice(const IPAddress& address, int api_port);

// `current` already says what `desired` says in the fields the API server owns (each
// builder's spec, subsets or endpoints, ports and labels; a Service's cluster IP is its
// own once given).
bool owned_fields_match(const json::object& current, const json::object& desired);
// `current` with the owned fields of `desired`, ready to be written back.
json::object with_owned_fields(const json::object& current, const json::object& desired);

}  // namespace ukube::admission::service_allocator
