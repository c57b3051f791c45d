#include "service_ports.h"

#include <boost/json.hpp>
#include <set>

#include "ukube/machinery/json.h"
#include "ukube/machinery/names.h"
#include "ukube/machinery/service_endpoints.h"

namespace ukube::proxy {
namespace json = boost::json;
using machinery::string_at;

namespace {

bool is_ipv4(const std::string& ip) {
  return !ip.empty() && ip.find(':') == std::string::npos;
}

struct Candidate {
  Endpoint endpoint;
  bool ready = false, serving = false, terminating = false;
};

// Upstream's rule: the ready endpoints; when there is none, the serving terminating ones,
// so a rolling update does not drop traffic.
std::vector<Endpoint> usable(const std::vector<Candidate>& all, bool local_only) {
  std::vector<Endpoint> ready, terminating;
  for (const auto& c : all) {
    if (local_only && !c.endpoint.local) continue;
    if (c.ready)
      ready.push_back(c.endpoint);
    else if (c.serving && c.terminating)
      terminating.push_back(c.endpoint);
  }
  return ready.empty() ? terminating : ready;
}

}  // namespace

std::vector<ServicePort> service_ports(const json::object& service,
                                       const std::vector<const json::object*>& slices,
                                       const std::string& node_name) {
  std::vector<ServicePort> out;
  const json::object& spec = machinery::object_or_empty(machinery::object_at(service, {"spec"}));
  if (string_at(spec, {"type"}) == "ExternalName" || !machinery::is_service_ip_set(service)) return out;
  const std::string key = machinery::namespace_of(service) + "/" + machinery::name_of(service);
  std::vector<std::string> cluster_ips;
  for (const auto& ip : machinery::strings_at(spec, {"clusterIPs"}))
    if (is_ipv4(ip)) cluster_ips.push_back(ip);
  if (cluster_ips.empty() && is_ipv4(string_at(spec, {"clusterIP"})))
    cluster_ips.push_back(string_at(spec, {"clusterIP"}));
  std::vector<std::string> external_ips;
  for (const auto& ip : machinery::strings_at(spec, {"externalIPs"}))
    if (is_ipv4(ip)) external_ips.push_back(ip);
  std::vector<std::string> lb_ips;
  if (string_at(spec, {"type"}) == "LoadBalancer")
    machinery::for_each_object(machinery::array_at(service, {"status", "loadBalancer", "ingress"}),
                               [&](const json::object& ingress, size_t) {
                                 if (auto ip = string_at(ingress, {"ip"}); is_ipv4(ip)) lb_ips.push_back(ip);
                               });
  const int32_t affinity = string_at(spec, {"sessionAffinity"}) == "ClientIP"
                               ? static_cast<int32_t>(machinery::int_or(
                                     spec, {"sessionAffinityConfig", "clientIP", "timeoutSeconds"}, 10800))
                               : 0;
  const bool internal_local = string_at(spec, {"internalTrafficPolicy"}) == "Local";
  const bool external_local = string_at(spec, {"externalTrafficPolicy"}) == "Local";

  machinery::for_each_object(machinery::array_at(spec, {"ports"}), [&](const json::object& p, size_t) {
    ServicePort sp;
    sp.service = key;
    sp.port_name = string_at(p, {"name"});
    sp.protocol = machinery::ascii_lower(string_at(p, {"protocol"}, "TCP"));
    sp.port = static_cast<int32_t>(machinery::int_or(p, {"port"}, 0));
    sp.cluster_ips = cluster_ips;
    sp.node_port = static_cast<int32_t>(machinery::int_or(p, {"nodePort"}, 0));
    sp.external_ips = external_ips;
    sp.load_balancer_ips = lb_ips;
    sp.affinity_seconds = affinity;
    sp.external_local = external_local;
    // The endpoints of this port: slice ports of the same name and protocol.
    std::vector<Candidate> candidates;
    std::set<std::string> seen;
    for (const auto* slice : slices) {
      if (string_at(*slice, {"addressType"}) != "IPv4") continue;
      int32_t target = 0;
      machinery::for_each_object(
          machinery::array_at(*slice, {"ports"}), [&](const json::object& port, size_t) {
            if (string_at(port, {"name"}) == sp.port_name &&
                machinery::ascii_lower(string_at(port, {"protocol"}, "TCP")) == sp.protocol)
              target = static_cast<int32_t>(machinery::int_or(port, {"port"}, 0));
          });
      if (target <= 0) continue;
      machinery::for_each_object(
          machinery::array_at(*slice, {"endpoints"}), [&](const json::object& e, size_t) {
            const auto* addresses = machinery::array_at(e, {"addresses"});
            if (!addresses || addresses->empty() || !(*addresses)[0].is_string()) return;
            Candidate c;
            c.endpoint.ip = std::string((*addresses)[0].get_string());
            c.endpoint.port = target;
            c.endpoint.local = string_at(e, {"nodeName"}) == node_name;
            // Unset conditions mean ready and serving, as the API documents.
            c.ready = machinery::bool_at(e, {"conditions", "ready"}).value_or(true);
            c.serving = machinery::bool_at(e, {"conditions", "serving"}).value_or(c.ready);
            c.terminating = machinery::bool_at(e, {"conditions", "terminating"}).value_or(false);
            // An address in two slices (a slice being replaced) counts once.
            if (seen.insert(c.endpoint.ip + ":" + std::to_string(target)).second) candidates.push_back(c);
          });
    }
    sp.internal_endpoints = usable(candidates, internal_local);
    sp.external_endpoints = usable(candidates, external_local);
    out.push_back(std::move(sp));
  });
  return out;
}

}  // namespace ukube::proxy
