#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/machinery/ip.h"
#include "ukube/types.h"

// The Service fields allocation reads and writes, and the fix-ups upstream's Service
// storage makes to a Service before allocating for it, so that a client that leaves out
// what the server allocated (a replace from a manifest, an old client) keeps it, and a
// type change drops what the new type has no use for. Mutating admission runs before the
// type's defaulting, so an unset type reads as its default, ClusterIP.
namespace ukube::admission::service_allocator {

namespace json = boost::json;
using machinery::IPFamily;

// "namespace/name", how the caches, reservations and IPAddresses name a Service.
std::string service_key(const json::object& service);
// metadata.resourceVersion as the number it is (0 when absent).
int64_t revision_of(const json::object& object);
// `field: Invalid value: <shown>: <detail>`, as upstream words a field error.
FieldError invalid_field(std::string field, const std::string& shown, const std::string& detail);

std::string service_type(const json::object& service);
// Every type but ExternalName has cluster IPs (or is headless).
bool needs_cluster_ip(const json::object& service);
// clusterIP or clusterIPs[0] is "None".
bool is_headless(const json::object& service);
// NodePort and LoadBalancer Services have node ports.
bool needs_node_ports(const json::object& service);
// Ports without a nodePort get one: NodePort Services, and LoadBalancer ones unless
// allocateLoadBalancerNodePorts is false.
bool allocates_node_ports(const json::object& service);
// A LoadBalancer with externalTrafficPolicy Local has a healthCheckNodePort.
bool needs_health_check_node_port(const json::object& service);

std::vector<std::string> cluster_ips(const json::object& service);
// Every node port the Service holds: its ports' and (unless told not to) its
// healthCheckNodePort.
std::vector<int> node_ports(const json::object& service, bool with_health_check = true);

// clusterIP and clusterIPs say the same: whichever a client set fills the other, and on an
// update a client that set only clusterIP keeps the rest (upstream's normalizeClusterIPs).
void normalize_cluster_ips(json::object& service, const json::object* old);
// What the old Service was given and the update leaves unset is kept: cluster IPs, node
// ports (matched by port name) and the health check node port.
void patch_allocated_values(json::object& service, const json::object& old);
// A type change drops the allocated values the new type has no use for, when the update
// left them as they were (upstream's dropTypeDependentFields).
void drop_type_dependent_fields(json::object& service, const json::object& old);
// Fills in ipFamilyPolicy and ipFamilies as upstream does on a cluster serving `families`
// (primary first). Throws ApiError Invalid for families or a policy the cluster cannot
// serve.
void init_ip_family_fields(json::object& service, const json::object* old,
                           const std::vector<IPFamily>& families);

}  // namespace ukube::admission::service_allocator
