#include "dns_service.h"

#include <boost/json.hpp>

#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"

namespace ukube::dns {
namespace json = boost::json;

namespace {

constexpr const char* kNamespace = "kube-system";
constexpr const char* kName = "kube-dns";
constexpr const char* kSliceName = "kube-dns-ukube";

// Creates `wanted`, or updates the stored object when `changed` says it differs.
void ensure(Client& client, const GroupVersionResource& gvr, json::object wanted,
            const std::function<bool(const json::object& stored)>& differs) {
  const std::string name = machinery::name_of(wanted);
  try {
    client.create(gvr, kNamespace, wanted);
    return;
  } catch (const ApiError& e) {
    if (!is_already_exists(e)) throw;
  }
  ObjectPtr stored = client.get(gvr, kNamespace, name);
  if (!differs(*stored)) return;
  machinery::child(wanted, "metadata")["resourceVersion"] =
      machinery::meta_string(*stored, "resourceVersion");
  client.update(gvr, kNamespace, wanted);
}

}  // namespace

void publish_dns_service(Client& client, const std::string& cluster_ip, const std::string& address,
                         uint16_t port) {
  const json::object labels{
      {"k8s-app", "kube-dns"}, {"kubernetes.io/cluster-service", "true"}, {"kubernetes.io/name", "CoreDNS"}};
  json::array ports{
      json::object{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}, {"targetPort", port}},
      json::object{{"name", "dns-tcp"}, {"port", 53}, {"protocol", "TCP"}, {"targetPort", port}}};
  json::object service{{"apiVersion", "v1"},
                       {"kind", "Service"},
                       {"metadata", {{"name", kName}, {"namespace", kNamespace}, {"labels", labels}}},
                       {"spec", {{"clusterIP", cluster_ip}, {"ports", ports}}}};
  ensure(client, machinery::kServices, service, [&](const json::object& stored) {
    return machinery::string_at(stored, {"spec", "clusterIP"}) != cluster_ip ||
           json::serialize(machinery::value_at(stored, {"spec", "ports"})
                               ? *machinery::value_at(stored, {"spec", "ports"})
                               : json::value()) != json::serialize(ports);
  });
  const std::string family = address.find(':') == std::string::npos ? "IPv4" : "IPv6";
  json::array slice_ports{json::object{{"name", "dns"}, {"port", port}, {"protocol", "UDP"}},
                          json::object{{"name", "dns-tcp"}, {"port", port}, {"protocol", "TCP"}}};
  json::object slice{{"apiVersion", "discovery.k8s.io/v1"},
                     {"kind", "EndpointSlice"},
                     {"metadata",
                      {{"name", kSliceName},
                       {"namespace", kNamespace},
                       {"labels",
                        {{"kubernetes.io/service-name", kName},
                         {"endpointslice.kubernetes.io/managed-by", "dns.ukube.io"}}}}},
                     {"addressType", family},
                     {"endpoints", json::array{json::object{{"addresses", json::array{json::value(address)}},
                                                            {"conditions", {{"ready", true}}}}}},
                     {"ports", slice_ports}};
  ensure(client, machinery::kEndpointSlices, slice, [&](const json::object& stored) {
    const auto* endpoints = machinery::array_at(stored, {"endpoints"});
    const auto* stored_ports = machinery::array_at(stored, {"ports"});
    return !endpoints || json::serialize(*endpoints) != json::serialize(slice.at("endpoints")) ||
           !stored_ports || json::serialize(*stored_ports) != json::serialize(slice_ports);
  });
}

}  // namespace ukube::dns
