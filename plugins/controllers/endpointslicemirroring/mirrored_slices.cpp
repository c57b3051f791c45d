#include "mirrored_slices.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <boost/json.hpp>

#include "ukube/machinery/ip.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/service_endpoints.h"

namespace ukube::controllers::mirroring {
namespace json = boost::json;

namespace {

constexpr const char* kLastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

// The subset's ports as discovery/v1 ports, in a fixed order (name, port, protocol).
json::array slice_ports(const json::object& subset) {
  std::vector<json::object> ports;
  if (const auto* list = machinery::array_at(subset, {"ports"}))
    for (const auto& p : *list) {
      const auto& port = machinery::object_or_empty(p.if_object());
      json::object out;
      if (const auto* name = port.if_contains("name")) out["name"] = *name;
      if (const auto* number = port.if_contains("port")) out["port"] = *number;
      out["protocol"] = port.contains("protocol") ? port.at("protocol") : json::value("TCP");
      if (const auto* app = port.if_contains("appProtocol")) out["appProtocol"] = *app;
      ports.push_back(std::move(out));
    }
  auto order = [](const json::object& p) {
    return std::make_tuple(machinery::string_at(p, {"name"}), machinery::int_or(p, {"port"}, 0),
                           machinery::string_at(p, {"protocol"}));
  };
  std::sort(ports.begin(), ports.end(), [&](const auto& a, const auto& b) { return order(a) < order(b); });
  return json::array(ports.begin(), ports.end());
}

std::string key_of(std::string_view address_type, const json::array& ports) {
  return std::string(address_type) + " " + json::serialize(ports);
}

json::object endpoint_of(const json::object& address, bool ready) {
  json::object endpoint{{"addresses", json::array{address.at("ip")}}, {"conditions", {{"ready", ready}}}};
  if (const auto* host = address.if_contains("hostname");
      host && host->is_string() && !host->get_string().empty())
    endpoint["hostname"] = *host;
  if (const auto* node = address.if_contains("nodeName"); node && node->is_string())
    endpoint["nodeName"] = *node;
  if (const auto* target = address.if_contains("targetRef"); target && target->is_object())
    endpoint["targetRef"] = *target;
  return endpoint;
}

json::object slice_metadata(const json::object& endpoints) {
  json::object labels;
  for (const auto& [k, v] : machinery::string_map_at(endpoints, {"metadata", "labels"})) labels[k] = v;
  labels[machinery::kServiceNameLabel] = machinery::name_of(endpoints);
  labels[machinery::kManagedByLabel] = kControllerName;
  json::object annotations;
  for (const auto& [k, v] : machinery::string_map_at(endpoints, {"metadata", "annotations"}))
    if (k != machinery::kLastChangeTriggerTimeAnnotation && k != kLastAppliedAnnotation) annotations[k] = v;
  json::object meta{
      {"namespace", machinery::namespace_of(endpoints)},
      {"generateName", machinery::name_of(endpoints) + "-"},
      {"labels", std::move(labels)},
      {"ownerReferences", json::array{machinery::controller_ref(endpoints, {"", "v1", "Endpoints"})}}};
  if (!annotations.empty()) meta["annotations"] = std::move(annotations);
  return meta;
}

}  // namespace

bool wants_mirroring(const json::object& endpoints) {
  auto labels = machinery::string_map_at(endpoints, {"metadata", "labels"});
  auto skip = labels.find(kSkipMirrorLabel);
  return skip == labels.end() || skip->second != "true";
}

MirrorResult mirror(const json::object& endpoints, size_t max_per_subset) {
  MirrorResult result;
  // Per key, in the order met: the ports, the address type and the endpoints.
  struct Group {
    std::string address_type;
    json::array ports;
    std::vector<json::object> endpoints;
  };
  std::vector<std::string> order;
  std::map<std::string, Group> groups;
  if (const auto* subsets = machinery::array_at(endpoints, {"subsets"}))
    for (const auto& s : *subsets) {
      const auto& subset = machinery::object_or_empty(s.if_object());
      json::array ports = slice_ports(subset);
      size_t added = 0;
      for (const auto& [field, ready] :
           {std::pair{"addresses", true}, std::pair{"notReadyAddresses", false}}) {
        const auto* addresses = machinery::array_at(subset, {field});
        if (!addresses) continue;
        for (const auto& a : *addresses) {
          const auto& address = machinery::object_or_empty(a.if_object());
          auto ip = machinery::IPAddress::parse(machinery::string_at(address, {"ip"}));
          if (!ip || added >= max_per_subset) {
            ++result.skipped;
            continue;
          }
          const std::string type(machinery::to_string(ip->family()));
          std::string key = key_of(type, ports);
          auto [it, fresh] = groups.try_emplace(key, Group{type, ports, {}});
          if (fresh) order.push_back(key);
          it->second.endpoints.push_back(endpoint_of(address, ready));
          ++added;
        }
      }
    }

  const json::object meta = slice_metadata(endpoints);
  for (const auto& key : order) {
    const Group& group = groups.at(key);
    for (size_t from = 0; from < group.endpoints.size(); from += max_per_subset) {
      const size_t to = std::min(group.endpoints.size(), from + max_per_subset);
      json::object slice{
          {"apiVersion", "discovery.k8s.io/v1"},
          {"kind", "EndpointSlice"},
          {"metadata", meta},
          {"addressType", group.address_type},
          {"ports", group.ports},
          {"endpoints", json::array(group.endpoints.begin() + from, group.endpoints.begin() + to)}};
      result.slices.push_back({key, std::move(slice)});
    }
  }
  return result;
}

std::string slice_key(const json::object& slice) {
  json::object as_subset;
  if (const auto* ports = slice.if_contains("ports")) as_subset["ports"] = *ports;
  return key_of(machinery::string_at(slice, {"addressType"}), slice_ports(as_subset));
}

bool same_content(const json::object& slice, const json::object& desired) {
  auto field = [](const json::object& o, std::initializer_list<std::string_view> path) {
    const json::value* v = machinery::value_at(o, path);
    return v ? *v : json::value();
  };
  auto empty_as_null = [&](const json::object& o, std::initializer_list<std::string_view> path) {
    json::value v = field(o, path);
    if ((v.is_object() && v.get_object().empty()) || (v.is_array() && v.get_array().empty()))
      return json::value();
    return v;
  };
  return empty_as_null(slice, {"metadata", "labels"}) == empty_as_null(desired, {"metadata", "labels"}) &&
         empty_as_null(slice, {"metadata", "annotations"}) ==
             empty_as_null(desired, {"metadata", "annotations"}) &&
         field(slice, {"metadata", "ownerReferences"}) == field(desired, {"metadata", "ownerReferences"}) &&
         empty_as_null(slice, {"endpoints"}) == empty_as_null(desired, {"endpoints"});
}

}  // namespace ukube::controllers::mirroring
