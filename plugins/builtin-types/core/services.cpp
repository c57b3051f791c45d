// core/v1 Service: upstream's PORT(S)/EXTERNAL-IP cells, type-dependent defaults and the
// port rules that catch most hand-written manifests.
#include <set>

#include <boost/json.hpp>

#include "common/json.h"
#include "common/labels.h"
#include "common/names.h"
#include "common/net.h"
#include "common/table.h"
#include "core/service_ips.h"
#include "families.h"
#include "schema/meta.h"

namespace ukube::builtin {
namespace {

const std::vector<std::string> kTypes = {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"};

std::vector<std::string> strings(const json::array* list) {
  std::vector<std::string> out;
  if (list)
    for (const auto& v : *list)
      if (v.is_string()) out.emplace_back(as_string(v));
  return out;
}

std::string ports_cell(const json::object& svc) {
  std::vector<std::string> parts;
  for_each_object(array_at(svc, {"spec", "ports"}), [&](const json::object& p, size_t) {
    std::string s = std::to_string(int_or(p, {"port"}, 0));
    if (int64_t np = int_or(p, {"nodePort"}, 0); np > 0) s += ":" + std::to_string(np);
    parts.push_back(s + "/" + string_at(p, {"protocol"}));
  });
  return or_none(join(parts));
}

std::string load_balancer_ips(const json::object& svc) {
  std::vector<std::string> out;
  for_each_object(array_at(svc, {"status", "loadBalancer", "ingress"}), [&](const json::object& i, size_t) {
    std::string ip = string_at(i, {"ip"});
    out.push_back(ip.empty() ? string_at(i, {"hostname"}) : ip);
  });
  return join(out);
}

std::string external_ip_cell(const json::object& svc) {
  std::string type = string_at(svc, {"spec", "type"});
  auto external = strings(array_at(svc, {"spec", "externalIPs"}));
  if (type == "ClusterIP" || type == "NodePort") return or_none(join(external));
  if (type == "LoadBalancer") {
    std::string lb = load_balancer_ips(svc);
    std::vector<std::string> all;
    if (!lb.empty()) all.push_back(lb);
    all.insert(all.end(), external.begin(), external.end());
    return all.empty() ? "<pending>" : join(all);
  }
  if (type == "ExternalName") return string_at(svc, {"spec", "externalName"});
  return "<unknown>";
}

std::string cluster_ip_cell(const json::object& svc) {
  auto ips = strings(array_at(svc, {"spec", "clusterIPs"}));
  if (!ips.empty()) return ips.front();
  return or_none(string_at(svc, {"spec", "clusterIP"}));
}

void default_service(json::object& svc) {
  auto& spec = child(svc, "spec");
  set_default(spec, "type", "ClusterIP");
  set_default(spec, "sessionAffinity", "None");
  if (string_at(spec, {"sessionAffinity"}) == "ClientIP")
    set_default(child(child(spec, "sessionAffinityConfig"), "clientIP"), "timeoutSeconds", 10800);
  for_each_object(mutable_array(spec, "ports"), [](json::object& p, size_t) {
    set_default(p, "protocol", "TCP");
    if (is_set(p, "port")) set_default(p, "targetPort", p["port"]);
  });
  const std::string type = string_at(spec, {"type"});
  // clusterIP and clusterIPs[0] are the same address; keep them in step.
  std::string ip = string_at(spec, {"clusterIP"});
  const auto* ips = array_at(spec, {"clusterIPs"});
  if (!ip.empty() && (!ips || ips->empty())) spec["clusterIPs"] = json::array{json::string(ip)};
  if (ip.empty() && ips && !ips->empty() && (*ips)[0].is_string()) spec["clusterIP"] = (*ips)[0];
  if (type != "ExternalName") {
    set_default(spec, "ipFamilyPolicy", "SingleStack");
    std::string family = is_ipv6(string_at(spec, {"clusterIP"})) ? "IPv6" : "IPv4";
    set_default(spec, "ipFamilies", json::array{json::string(family)});
    set_default(spec, "internalTrafficPolicy", "Cluster");
  }
  if (type == "NodePort" || type == "LoadBalancer") set_default(spec, "externalTrafficPolicy", "Cluster");
  if (type == "LoadBalancer") set_default(spec, "allocateLoadBalancerNodePorts", true);
  set_default(child(svc, "status"), "loadBalancer", json::object{});
}

void validate_service(const json::object& svc, const json::object* old, std::vector<FieldError>& out) {
  Errors e(out);
  check_name_is_dns1035(e, string_at(svc, {"metadata", "name"}));
  const json::object empty;
  const json::object* spec = object_at(svc, {"spec"});
  if (!spec) spec = &empty;
  FieldPath sp("spec");
  std::string type = string_at(*spec, {"type"});
  if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end())
    e.unsupported(sp.child("type"), type, kTypes);
  std::string cluster_ip = string_at(*spec, {"clusterIP"});
  const bool headless = cluster_ip == "None";
  const auto* ports = array_at(*spec, {"ports"});

  if (type == "ExternalName") {
    std::string name = string_at(*spec, {"externalName"});
    if (name.empty())
      e.required(sp.child("externalName"), "");
    else
      report(e, sp.child("externalName"), name,
             dns1123_subdomain_errors(name.back() == '.' ? name.substr(0, name.size() - 1) : name));
  } else if ((!ports || ports->empty()) && !headless) {
    e.required(sp.child("ports"), "");
  }

  validate_service_ips(e, *spec, old ? &machinery::object_or_empty(object_at(*old, {"spec"})) : nullptr);

  std::set<std::string> names;
  std::set<std::pair<int64_t, std::string>> seen;
  const bool many = ports && ports->size() > 1;
  for_each_object(ports, [&](const json::object& p, size_t i) {
    FieldPath pp = sp.child("ports").index(i);
    std::string name = string_at(p, {"name"});
    if (name.empty()) {
      if (many) e.required(pp.child("name"), "");
    } else {
      report(e, pp.child("name"), name, dns1123_label_errors(name));
      if (!names.insert(name).second) e.duplicate(pp.child("name"), quote(name));
    }
    auto port = int_at(p, {"port"});
    if (!port)
      e.required(pp.child("port"), "");
    else
      check_port_number(e, pp.child("port"), *port);
    std::string protocol = string_at(p, {"protocol"});
    if (std::find(kProtocols.begin(), kProtocols.end(), protocol) == kProtocols.end())
      e.unsupported(pp.child("protocol"), protocol, kProtocols);
    else if (port && !seen.insert({*port, protocol}).second)
      e.duplicate(pp, "{\"port\":" + std::to_string(*port) + ",\"protocol\":" + quote(protocol) + "}");
    if (const auto* target = p.if_contains("targetPort"); target && !target->is_null()) {
      if (auto n = as_int(*target))
        check_port_number(e, pp.child("targetPort"), *n);
      else
        report(e, pp.child("targetPort"), as_string(*target), iana_svc_name_errors(as_string(*target)));
    }
    if (auto np = int_at(p, {"nodePort"}); np && *np != 0) {
      if (type != "NodePort" && type != "LoadBalancer")
        e.forbidden(pp.child("nodePort"), "may not be used when `type` is '" + type + "'");
      else
        check_port_number(e, pp.child("nodePort"), *np);
    }
  });

  std::string affinity = string_at(*spec, {"sessionAffinity"});
  if (affinity != "None" && affinity != "ClientIP")
    e.unsupported(sp.child("sessionAffinity"), affinity, {"ClientIP", "None"});
  for (const char* policy : {"externalTrafficPolicy", "internalTrafficPolicy"}) {
    std::string v = string_at(*spec, {policy});
    if (!v.empty() && v != "Cluster" && v != "Local")
      e.unsupported(sp.child(policy), v, {"Cluster", "Local"});
  }
  if (const auto* sel = object_at(*spec, {"selector"})) validate_label_map(e, sp.child("selector"), *sel);
}

}  // namespace

TypeInfo services_type() {
  TypeInfo t = make_type("", "v1", "Service", "services", true, {"svc"}, {"all"});
  t.status_subresource = true;
  t.extra_subresources = {"proxy"};
  t.printer_columns = {
      name_column(),
      column("Type", "string", "How the service is exposed.", 0, ".spec.type"),
      column("Cluster-IP", "string", "Virtual IP inside the cluster.", 0, ".spec.clusterIP"),
      column("External-IP", "string", "Addresses reachable from outside the cluster."),
      column("Port(s)", "string", "Ports the service exposes, with node ports."),
      age_column(),
      column("Selector", "string", "Labels of the pods that back the service.", 1),
  };
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o),
                       string_at(o, {"spec", "type"}),
                       cluster_ip_cell(o),
                       external_ip_cell(o),
                       ports_cell(o),
                       age_cell(o, now),
                       format_labels(object_at(o, {"spec", "selector"}))};
  });
  t.defaulters.push_back(default_service);
  t.validators.push_back(validate_service);

  using namespace schema;
  Schema port = object({
      {"name", string("Name of the port; required when there are several."), 1},
      {"protocol", with_default(string("TCP, UDP or SCTP."), "TCP"), 2},
      {"appProtocol", string(), 6, kPointer},
      {"port", integer("Port the service listens on."), 3, kAlways},
      {"targetPort", int_or_string("Port number or name on the backing pods."), 4},
      {"nodePort", integer("Port on every node, for NodePort and LoadBalancer services."), 5},
  });
  Schema spec = object({
      {"ports", map_list(port, {"port", "protocol"}, "Ports the service exposes."), 1},
      {"selector", string_map("Labels of the pods traffic goes to."), 2},
      {"clusterIP", string(), 3},
      {"clusterIPs", atomic_list(string()), 18},
      {"type", string("ClusterIP, NodePort, LoadBalancer or ExternalName."), 4},
      {"externalIPs", atomic_list(string()), 5},
      {"sessionAffinity", string("None or ClientIP."), 7},
      {"loadBalancerIP", string(), 8},
      {"loadBalancerSourceRanges", atomic_list(string()), 9},
      {"externalName", string("DNS name an ExternalName service aliases."), 10},
      {"externalTrafficPolicy", string(), 11},
      {"healthCheckNodePort", integer(), 12},
      {"publishNotReadyAddresses", boolean(), 13},
      {"sessionAffinityConfig",
       object({{"clientIP", object({{"timeoutSeconds", integer(), 1, kPointer}}), 1, kPointer}}), 14,
       kPointer},
      {"ipFamilies", atomic_list(string()), 19},
      {"ipFamilyPolicy", string(), 17, kPointer},
      {"allocateLoadBalancerNodePorts", boolean(), 20, kPointer},
      {"loadBalancerClass", string(), 21, kPointer},
      {"internalTrafficPolicy", string(), 22, kPointer},
      {"trafficDistribution", string(), 23, kPointer},
  });
  Schema ingress = object({
      {"ip", string(), 1},
      {"hostname", string(), 2},
      {"ipMode", string(), 3, kPointer},
      {"ports",
       atomic_list(object({{"port", integer(), 1, kAlways},
                           {"protocol", string(), 2, kAlways},
                           {"error", string(), 3, kPointer}})),
       4},
  });
  t.schema = share(resource("", "v1", "Service", "A stable name and virtual IP for a set of pods.",
                            {{"spec", spec, 2},
                             {"status",
                              object({{"loadBalancer", object({{"ingress", atomic_list(ingress), 1}}), 1},
                                      {"conditions", conditions(), 2}}),
                              3}}));
  return t;
}

}  // namespace ukube::builtin
