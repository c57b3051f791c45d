#include "slice_format.h"

#include <algorithm>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "ukube/machinery/json.h"
#include "ukube/machinery/names.h"
#include "ukube/machinery/owners.h"

namespace ukube::controllers::endpointslice {
namespace json = boost::json;

namespace {

bool is_reserved_label(std::string_view key) {
  return key == machinery::kServiceNameLabel || key == machinery::kManagedByLabel ||
         key == machinery::kHeadlessServiceLabel;
}

json::object without_reserved(const json::object* labels) {
  json::object out;
  if (!labels) return out;
  for (const auto& [key, value] : *labels)
    if (!is_reserved_label(key)) out[key] = value;
  return out;
}

// An endpoint's fields beyond its identity, as compared.
json::object beyond_identity(const json::object& endpoint) {
  json::object out;
  for (const char* field : {"nodeName", "zone"})
    if (const auto* v = endpoint.if_contains(field); v && !v->is_null()) out[field] = *v;
  const json::object& conditions = machinery::object_or_empty(machinery::object_at(endpoint, {"conditions"}));
  json::object kept;
  for (const char* condition : {"ready", "serving", "terminating"})
    if (const auto* v = conditions.if_contains(condition); v && !v->is_null()) kept[condition] = *v;
  out["conditions"] = std::move(kept);
  if (const auto* ref = machinery::object_at(endpoint, {"targetRef"})) {
    json::object copy = *ref;
    copy.erase("resourceVersion");
    out["targetRef"] = std::move(copy);
  }
  return out;
}

// "<service>-" when that is a valid name prefix, as upstream's generateName.
std::string slice_name_prefix(const std::string& service_name) {
  if (machinery::dns1123_subdomain_errors(service_name + "a").empty()) return service_name + "-";
  return service_name;
}

}  // namespace

json::object endpoint_json(const machinery::PodEndpoint& endpoint, const std::string& zone) {
  json::array addresses;
  for (const auto& a : endpoint.addresses) addresses.emplace_back(a);
  json::object out{{"addresses", std::move(addresses)},
                   {"conditions", json::object{{"ready", endpoint.ready},
                                               {"serving", endpoint.serving},
                                               {"terminating", endpoint.terminating}}},
                   {"targetRef", endpoint.target_ref()}};
  if (!endpoint.node_name.empty()) out["nodeName"] = endpoint.node_name;
  if (!zone.empty()) out["zone"] = zone;
  if (!endpoint.hostname.empty()) out["hostname"] = endpoint.hostname;
  return out;
}

std::string endpoint_identity(const json::object& endpoint) {
  std::vector<std::string> addresses = machinery::strings_at(endpoint, {"addresses"});
  std::sort(addresses.begin(), addresses.end());
  std::string id;
  for (const auto& a : addresses) id += a + ",";
  id += "|" + machinery::string_at(endpoint, {"hostname"});
  id += "|" + machinery::string_at(endpoint, {"targetRef", "namespace"});
  id += "/" + machinery::string_at(endpoint, {"targetRef", "name"});
  return id;
}

bool endpoints_equal_beyond_identity(const json::object& a, const json::object& b) {
  return beyond_identity(a) == beyond_identity(b);
}

std::vector<machinery::EndpointPort> sorted_ports(std::vector<machinery::EndpointPort> ports) {
  std::sort(ports.begin(), ports.end());
  return ports;
}

json::array ports_json(const std::vector<machinery::EndpointPort>& sorted) {
  json::array out;
  for (const auto& port : sorted) {
    json::object p{{"name", port.name}, {"port", port.port}, {"protocol", port.protocol}};
    if (port.app_protocol) p["appProtocol"] = *port.app_protocol;
    out.push_back(std::move(p));
  }
  return out;
}

std::string port_set_key(const std::vector<machinery::EndpointPort>& sorted) {
  return json::serialize(ports_json(sorted));
}

std::vector<machinery::EndpointPort> slice_ports(const json::object& slice) {
  std::vector<machinery::EndpointPort> ports;
  machinery::for_each_object(machinery::array_at(slice, {"ports"}), [&](const json::object& p, size_t) {
    machinery::EndpointPort port;
    port.name = machinery::string_at(p, {"name"});
    port.port = static_cast<int32_t>(machinery::int_or(p, {"port"}, 0));
    port.protocol = machinery::string_at(p, {"protocol"}, "TCP");
    if (const auto* app = p.if_contains("appProtocol"); app && app->is_string())
      port.app_protocol = std::string(app->get_string());
    ports.push_back(std::move(port));
  });
  return sorted_ports(std::move(ports));
}

std::pair<json::object, bool> slice_labels(const json::object& slice, const json::object& service) {
  json::object labels = without_reserved(machinery::object_at(service, {"metadata", "labels"}));
  const bool changed = without_reserved(machinery::object_at(slice, {"metadata", "labels"})) != labels;
  if (!machinery::is_service_ip_set(service)) labels[machinery::kHeadlessServiceLabel] = "";
  labels[machinery::kServiceNameLabel] = machinery::name_of(service);
  labels[machinery::kManagedByLabel] = kControllerName;
  return {std::move(labels), changed};
}

json::object new_slice(const json::object& service, const json::array& ports, machinery::IPFamily family) {
  json::object slice{
      {"apiVersion", "discovery.k8s.io/v1"},
      {"kind", "EndpointSlice"},
      {"metadata", json::object{{"generateName", slice_name_prefix(machinery::name_of(service))},
                                {"namespace", machinery::namespace_of(service)},
                                {"ownerReferences",
                                 json::array{machinery::controller_ref(service, {"", "v1", "Service"})}}}},
      {"addressType", std::string(machinery::to_string(family))},
      {"endpoints", json::array{}},
      {"ports", ports}};
  machinery::child(slice, "metadata")["labels"] = slice_labels(slice, service).first;
  return slice;
}

bool owned_by(const json::object& slice, const json::object& service) {
  const std::string uid = machinery::uid_of(service);
  bool owned = false;
  machinery::for_each_object(
      machinery::array_at(slice, {"metadata", "ownerReferences"}), [&](const json::object& ref, size_t) {
        if (machinery::string_at(ref, {"uid"}) == uid && machinery::string_at(ref, {"kind"}) == "Service" &&
            machinery::string_at(ref, {"apiVersion"}) == "v1")
          owned = true;
      });
  return owned;
}

bool managed_by_controller(const json::object& slice) {
  return machinery::string_at(slice, {"metadata", "labels", machinery::kManagedByLabel}) == kControllerName;
}

std::string service_key_of(const json::object& slice) {
  std::string service = machinery::string_at(slice, {"metadata", "labels", machinery::kServiceNameLabel});
  if (service.empty()) return {};
  return machinery::namespace_of(slice) + "/" + service;
}

size_t endpoint_count(const json::object& slice) {
  const auto* endpoints = machinery::array_at(slice, {"endpoints"});
  return endpoints ? endpoints->size() : 0;
}

int64_t generation_of(const json::object& slice) {
  return machinery::int_or(slice, {"metadata", "generation"}, 0);
}

}  // namespace ukube::controllers::endpointslice
