#include "ukube/machinery/service_endpoints.h"

#include <algorithm>
#include <iterator>
#include <set>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"

namespace ukube::machinery {
namespace json = boost::json;

namespace {

// Every label of the selector is on the pod with the same value.
bool endpoints_selector_matches(const json::object& selector, const json::object* labels) {
  for (const auto& [key, value] : selector) {
    if (!labels) return false;
    const auto* have = labels->if_contains(key);
    if (!have || !have->is_string() || have->get_string() != as_string(value)) return false;
  }
  return true;
}

// An IP as upstream prints it after parsing: IPv6 in its canonical compressed form.
std::string endpoints_canonical_ip(std::string_view ip) {
  auto parsed = IPAddress::parse(ip);
  return parsed ? parsed->to_string() : std::string(ip);
}

std::string endpoints_protocol_of(const json::object& port) {
  std::string protocol = string_at(port, {"protocol"});
  return protocol.empty() ? "TCP" : protocol;
}

// A named port of one container list whose name and protocol match.
std::optional<int32_t> endpoints_named_port(const json::array* containers, std::string_view name,
                                            std::string_view protocol, bool sidecars_only) {
  std::optional<int32_t> found;
  for_each_object(containers, [&](const json::object& container, size_t) {
    if (found) return;
    if (sidecars_only && string_at(container, {"restartPolicy"}) != "Always") return;
    for_each_object(array_at(container, {"ports"}), [&](const json::object& port, size_t) {
      if (found) return;
      if (string_at(port, {"name"}) == name && endpoints_protocol_of(port) == protocol)
        if (auto number = int_at(port, {"containerPort"})) found = static_cast<int32_t>(*number);
    });
  });
  return found;
}

std::set<std::string> endpoints_matching_services(const std::vector<ObjectPtr>& services,
                                                  const json::object& pod) {
  std::set<std::string> keys;
  for (const auto& service : services)
    if (service && selects(*service, pod)) keys.insert(namespace_of(*service) + "/" + name_of(*service));
  return keys;
}

}  // namespace

const json::object* service_selector(const json::object& service) {
  const auto* selector = object_at(service, {"spec", "selector"});
  return selector && !selector->empty() ? selector : nullptr;
}

bool publishes_selected_pods(const json::object& service) {
  return service_selector(service) && string_at(service, {"spec", "type"}) != "ExternalName";
}

bool selects(const json::object& service, const json::object& pod) {
  const auto* selector = service_selector(service);
  if (!selector || namespace_of(service) != namespace_of(pod)) return false;
  return endpoints_selector_matches(*selector, object_at(pod, {"metadata", "labels"}));
}

bool is_service_ip_set(const json::object& service) {
  std::string ip = string_at(service, {"spec", "clusterIP"});
  return !ip.empty() && ip != "None";
}

bool publishes_not_ready_addresses(const json::object& service) {
  return bool_at(service, {"spec", "publishNotReadyAddresses"}).value_or(false);
}

std::vector<IPFamily> service_ip_families(const json::object& service) {
  std::vector<IPFamily> families;
  for (const auto& name : strings_at(service, {"spec", "ipFamilies"})) {
    IPFamily family;
    if (name == "IPv4")
      family = IPFamily::IPv4;
    else if (name == "IPv6")
      family = IPFamily::IPv6;
    else
      continue;
    if (std::find(families.begin(), families.end(), family) == families.end()) families.push_back(family);
  }
  if (!families.empty()) return families;
  if (is_service_ip_set(service)) return {family_of(string_at(service, {"spec", "clusterIP"}))};
  return {IPFamily::IPv4, IPFamily::IPv6};
}

IPFamily endpoints_ip_family(const json::object& service, const json::object& pod) {
  for (const auto& name : strings_at(service, {"spec", "ipFamilies"})) {
    if (name == "IPv6") return IPFamily::IPv6;
    if (name == "IPv4") return IPFamily::IPv4;
  }
  if (is_service_ip_set(service)) return family_of(string_at(service, {"spec", "clusterIP"}));
  return family_of(string_at(pod, {"status", "podIP"}));
}

std::vector<std::string> pod_ips(const json::object& pod) {
  std::vector<std::string> ips;
  for_each_object(array_at(pod, {"status", "podIPs"}), [&](const json::object& entry, size_t) {
    std::string ip = string_at(entry, {"ip"});
    if (!ip.empty()) ips.push_back(std::move(ip));
  });
  if (ips.empty()) {
    std::string ip = string_at(pod, {"status", "podIP"});
    if (!ip.empty()) ips.push_back(std::move(ip));
  }
  return ips;
}

std::string pod_ip_of_family(const json::object& pod, IPFamily family) {
  for (auto& ip : pod_ips(pod))
    if (family_of(ip) == family) return ip;
  return {};
}

bool should_pod_be_in_endpoints(const json::object& pod, bool include_terminating) {
  if (is_pod_terminal(pod)) return false;
  if (pod_ips(pod).empty()) return false;
  if (!include_terminating && has_deletion_timestamp(pod)) return false;
  return true;
}

bool should_set_hostname(const json::object& pod, const json::object& service) {
  return !string_at(pod, {"spec", "hostname"}).empty() &&
         string_at(pod, {"spec", "subdomain"}) == name_of(service) &&
         namespace_of(service) == namespace_of(pod);
}

std::optional<int32_t> find_target_port(const json::object& pod, const json::object& service_port) {
  const json::value* target = service_port.if_contains("targetPort");
  if (!target || target->is_null()) {
    // The API server defaults targetPort to the port; objects that skipped defaulting mean the same.
    if (auto port = int_at(service_port, {"port"})) return static_cast<int32_t>(*port);
    return std::nullopt;
  }
  if (auto number = as_int(*target)) return static_cast<int32_t>(*number);
  std::string_view name = as_string(*target);
  if (name.empty()) return std::nullopt;
  const std::string protocol = endpoints_protocol_of(service_port);
  if (auto port = endpoints_named_port(array_at(pod, {"spec", "containers"}), name, protocol, false))
    return port;
  return endpoints_named_port(array_at(pod, {"spec", "initContainers"}), name, protocol, true);
}

std::vector<EndpointPort> resolve_ports(const json::object& service, const json::object& pod) {
  std::vector<EndpointPort> ports;
  for_each_object(array_at(service, {"spec", "ports"}), [&](const json::object& service_port, size_t) {
    auto number = find_target_port(pod, service_port);
    if (!number) return;
    EndpointPort port;
    port.name = string_at(service_port, {"name"});
    port.port = *number;
    port.protocol = endpoints_protocol_of(service_port);
    if (const auto* app = service_port.if_contains("appProtocol"); app && app->is_string())
      port.app_protocol = std::string(app->get_string());
    ports.push_back(std::move(port));
  });
  return ports;
}

json::object PodEndpoint::target_ref() const {
  return json::object{{"kind", "Pod"}, {"namespace", pod_namespace}, {"name", pod_name}, {"uid", pod_uid}};
}

std::optional<PodEndpoint> pod_endpoint(const json::object& service, const json::object& pod, IPFamily family,
                                        bool include_terminating) {
  if (!should_pod_be_in_endpoints(pod, include_terminating)) return std::nullopt;
  PodEndpoint endpoint;
  for (const auto& ip : pod_ips(pod))
    if (family_of(ip) == family) endpoint.addresses.push_back(endpoints_canonical_ip(ip));
  if (should_set_hostname(pod, service)) endpoint.hostname = string_at(pod, {"spec", "hostname"});
  endpoint.node_name = string_at(pod, {"spec", "nodeName"});
  endpoint.pod_namespace = namespace_of(pod);
  endpoint.pod_name = name_of(pod);
  endpoint.pod_uid = uid_of(pod);
  endpoint.serving = is_pod_ready(pod);
  endpoint.terminating = has_deletion_timestamp(pod);
  endpoint.ready = publishes_not_ready_addresses(service) || (endpoint.serving && !endpoint.terminating);
  endpoint.ports = resolve_ports(service, pod);
  return endpoint;
}

PodEndpointsChange pod_endpoints_change(const json::object& old_pod, const json::object& new_pod) {
  PodEndpointsChange change;
  const auto* old_labels = object_at(old_pod, {"metadata", "labels"});
  const auto* new_labels = object_at(new_pod, {"metadata", "labels"});
  const bool old_empty = !old_labels || old_labels->empty();
  const bool new_empty = !new_labels || new_labels->empty();
  const bool labels_equal =
      (old_empty && new_empty) || (old_labels && new_labels && *old_labels == *new_labels);
  change.membership = !labels_equal ||
                      string_at(old_pod, {"spec", "hostname"}) != string_at(new_pod, {"spec", "hostname"}) ||
                      string_at(old_pod, {"spec", "subdomain"}) != string_at(new_pod, {"spec", "subdomain"});
  change.endpoints = meta_string(old_pod, "deletionTimestamp") != meta_string(new_pod, "deletionTimestamp") ||
                     is_pod_ready(old_pod) != is_pod_ready(new_pod) || pod_ips(old_pod) != pod_ips(new_pod);
  return change;
}

std::vector<std::string> services_for_pod_change(const std::vector<ObjectPtr>& services,
                                                 const json::object* old_pod, const json::object* new_pod) {
  std::set<std::string> keys;
  if (!old_pod || !new_pod) {
    if (const json::object* pod = new_pod ? new_pod : old_pod)
      keys = endpoints_matching_services(services, *pod);
    return {keys.begin(), keys.end()};
  }
  if (meta_string(*old_pod, "resourceVersion") == meta_string(*new_pod, "resourceVersion") &&
      !meta_string(*new_pod, "resourceVersion").empty())
    return {};
  PodEndpointsChange change = pod_endpoints_change(*old_pod, *new_pod);
  if (!change.endpoints && !change.membership) return {};
  keys = endpoints_matching_services(services, *new_pod);
  if (change.membership) {
    std::set<std::string> before = endpoints_matching_services(services, *old_pod);
    if (change.endpoints) {
      keys.insert(before.begin(), before.end());
    } else {
      std::set<std::string> joined_or_left;
      std::set_symmetric_difference(keys.begin(), keys.end(), before.begin(), before.end(),
                                    std::inserter(joined_or_left, joined_or_left.end()));
      keys = std::move(joined_or_left);
    }
  }
  return {keys.begin(), keys.end()};
}

}  // namespace ukube::machinery
