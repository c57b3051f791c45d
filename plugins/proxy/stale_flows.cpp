#include "stale_flows.h"

#include <map>
#include <set>

namespace ukube::proxy {

namespace {

std::string port_key(const ServicePort& sp) {
  return sp.port_name + "/" + std::to_string(sp.port);
}

// The addresses a service port answers on besides node ports.
std::vector<std::string> service_addresses(const ServicePort& sp) {
  std::vector<std::string> out = sp.cluster_ips;
  out.insert(out.end(), sp.external_ips.begin(), sp.external_ips.end());
  out.insert(out.end(), sp.load_balancer_ips.begin(), sp.load_balancer_ips.end());
  return out;
}

std::set<std::string> endpoint_ips(const ServicePort& sp) {
  std::set<std::string> out;
  for (const auto* list : {&sp.internal_endpoints, &sp.external_endpoints})
    for (const auto& e : *list) out.insert(e.ip);
  return out;
}

}  // namespace

std::vector<ConntrackFilter> stale_udp_flows(const std::vector<ServicePort>& before,
                                             const std::vector<ServicePort>& after) {
  std::map<std::string, const ServicePort*> was;
  for (const auto& sp : before)
    if (sp.protocol == "udp") was[port_key(sp)] = &sp;
  std::set<ConntrackFilter> out;
  for (const auto& [key, old] : was) {
    const ServicePort* now = nullptr;
    for (const auto& sp : after)
      if (sp.protocol == "udp" && port_key(sp) == key) now = &sp;
    // An endpoint gone: flows translated to it, through any address of the port.
    const std::set<std::string> kept = now ? endpoint_ips(*now) : std::set<std::string>{};
    for (const auto& ip : endpoint_ips(*old)) {
      if (kept.count(ip)) continue;
      for (const auto& address : service_addresses(*old)) out.insert({address, old->port, ip});
      if (old->node_port) out.insert({"", old->node_port, ip});
    }
  }
  for (const auto& sp : after) {
    if (sp.protocol != "udp" || (sp.internal_endpoints.empty() && sp.external_endpoints.empty())) continue;
    auto old = was.find(port_key(sp));
    const bool had_endpoints = old != was.end() && (!old->second->internal_endpoints.empty() ||
                                                    !old->second->external_endpoints.empty());
    if (had_endpoints) continue;
    // Endpoints at last: whatever the refusal left must go, so clients reach them.
    for (const auto& address : service_addresses(sp)) out.insert({address, sp.port, ""});
    if (sp.node_port) out.insert({"", sp.node_port, ""});
  }
  return {out.begin(), out.end()};
}

std::vector<std::string> conntrack_delete_args(const ConntrackFilter& filter) {
  std::vector<std::string> args{"-D", "-p", "udp"};
  if (!filter.orig_dst.empty()) args.insert(args.end(), {"--orig-dst", filter.orig_dst});
  if (filter.orig_dst_port)
    args.insert(args.end(), {"--orig-port-dst", std::to_string(filter.orig_dst_port)});
  if (!filter.reply_src.empty()) args.insert(args.end(), {"--reply-src", filter.reply_src});
  return args;
}

}  // namespace ukube::proxy
