#include "kubernetes_objects.h"

#include <boost/json.hpp>

#include "ukube/machinery/json.h"
#include "ukube/machinery/service_endpoints.h"
#include "ukube/machinery/time.h"

namespace ukube::admission::service_allocator {

namespace {

// upstream's discovery.k8s.io/v1 LabelSkipMirror: the EndpointSliceMirroring controller
// leaves these Endpoints alone (the API server writes the slice itself).
constexpr const char* kSkipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror";

json::object meta(const char* ns, json::object labels) {
  json::object m{{"name", kKubernetes}};
  if (ns) m["namespace"] = ns;
  if (!labels.empty()) m["labels"] = std::move(labels);
  return m;
}

json::object https_port(int port) {
  return {{"name", "https"}, {"port", port}, {"protocol", "TCP"}};
}

// Where each kind keeps what the API server owns: a path of one or two keys.
std::vector<std::vector<const char*>> owned_paths(const json::object& object) {
  const std::string kind = machinery::string_at(object, {"kind"});
  if (kind == "Service") return {{"spec", "ports"}, {"spec", "type"}};
  if (kind == "Endpoints") return {{"subsets"}, {"metadata", "labels"}};
  return {{"addressType"}, {"endpoints"}, {"ports"}, {"metadata", "labels"}};
}

const json::value* at(const json::object& object, const std::vector<const char*>& path) {
  return path.size() == 1 ? machinery::value_at(object, {path[0]})
                          : machinery::value_at(object, {path[0], path[1]});
}

}  // namespace

json::object default_service_cidr(const std::vector<IPPrefix>& cidrs) {
  json::array list;
  for (const auto& cidr : cidrs) list.emplace_back(cidr.to_string());
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "ServiceCIDR"},
          {"metadata", meta(nullptr, {})},
          {"spec", {{"cidrs", std::move(list)}}}};
}

json::object ready_service_cidr_status() {
  // As upstream's default-servicecidr controller applies it: no reason.
  return {{"conditions", json::array{json::object{{"type", "Ready"},
                                                  {"status", "True"},
                                                  {"lastTransitionTime", machinery::now_rfc3339()},
                                                  {"reason", ""},
                                                  {"message", "Kubernetes default Service CIDR is ready"}}}}};
}

json::object kubernetes_service(const IPAddress& cluster_ip, int api_port) {
  json::object port = https_port(443);
  port["targetPort"] = api_port;
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", meta(kDefaultNamespace, {{"component", "apiserver"}, {"provider", "kubernetes"}})},
          {"spec",
           {{"type", "ClusterIP"},
            {"clusterIP", cluster_ip.to_string()},
            {"sessionAffinity", "None"},
            {"ports", json::array{std::move(port)}}}}};
}

json::object kubernetes_endpoints(const IPAddress& address, int api_port) {
  return {{"apiVersion", "v1"},
          {"kind", "Endpoints"},
          {"metadata", meta(kDefaultNamespace, {{kSkipMirrorLabel, "true"}})},
          {"subsets",
           json::array{json::object{{"addresses", json::array{json::object{{"ip", address.to_string()}}}},
                                    {"ports", json::array{https_port(api_port)}}}}}};
}

json::object kubernetes_endpoint_slice(const IPAddress& address, int api_port) {
  json::object endpoint{{"addresses", json::array{json::string(address.to_string())}},
                        {"conditions", {{"ready", true}}}};
  return {{"apiVersion", "discovery.k8s.io/v1"},
          {"kind", "EndpointSlice"},
          {"metadata", meta(kDefaultNamespace, {{machinery::kServiceNameLabel, kKubernetes}})},
          {"addressType", to_string(address.family())},
          {"endpoints", json::array{std::move(endpoint)}},
          {"ports", json::array{https_port(api_port)}}};
}

bool owned_fields_match(const json::object& current, const json::object& desired) {
  for (const auto& path : owned_paths(desired)) {
    const json::value* have = at(current, path);
    const json::value* want = at(desired, path);
    if (!want != !have || (want && *want != *have)) return false;
  }
  return true;
}

json::object with_owned_fields(const json::object& current, const json::object& desired) {
  json::object out = current;
  for (const auto& path : owned_paths(desired)) {
    json::object* parent = &out;
    if (path.size() == 2) parent = &machinery::child(out, path[0]);
    const char* key = path.back();
    if (const json::value* want = at(desired, path))
      (*parent)[key] = *want;
    else
      parent->erase(key);
  }
  return out;
}

}  // namespace ukube::admission::service_allocator
