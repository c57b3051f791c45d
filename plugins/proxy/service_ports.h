#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

// What the proxy makes of a Service and its EndpointSlices: one entry per service port, with
// the addresses it answers on and the endpoints its traffic may go to, chosen as upstream's
// kube-proxy chooses them (ready endpoints; serving terminating ones when none is ready;
// only this node's for a Local traffic policy).
namespace ukube::proxy {

struct Endpoint {
  std::string ip;
  int32_t port = 0;
  bool local = false;  // on this proxy's node
};

struct ServicePort {
  std::string service;    // namespace/name
  std::string port_name;  // "" for an unnamed port
  std::string protocol;   // tcp, udp, sctp
  int32_t port = 0;
  std::vector<std::string> cluster_ips;  // IPv4
  int32_t node_port = 0;
  std::vector<std::string> external_ips;       // spec.externalIPs
  std::vector<std::string> load_balancer_ips;  // status.loadBalancer.ingress[].ip
  int32_t affinity_seconds = 0;                // sessionAffinity ClientIP: its timeout; 0: none
  // Where in-cluster traffic (to a cluster IP) and traffic from outside (node ports,
  // external and load-balancer IPs) may go: every usable endpoint, or this node's only.
  std::vector<Endpoint> internal_endpoints;
  std::vector<Endpoint> external_endpoints;
  bool external_local = false;  // externalTrafficPolicy Local: the client's address is kept
};

// The service's ports; none for a Service the proxy does not serve (ExternalName,
// headless). `slices` are the EndpointSlices labelled with its name, in its namespace.
std::vector<ServicePort> service_ports(const boost::json::object& service,
                                       const std::vector<const boost::json::object*>& slices,
                                       const std::string& node_name);

}  // namespace ukube::proxy
