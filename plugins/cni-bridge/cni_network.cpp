#include "cni_network.h"

#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <stdexcept>

#include "ukube/machinery/json.h"
#include "ukube/machinery/names.h"

namespace ukube::network::cni {
namespace json = boost::json;
using machinery::string_at;

namespace {

bool is_ipv6_cidr(const std::string& cidr) {
  boost::system::error_code ec;
  boost::asio::ip::make_network_v4(cidr, ec);
  if (!ec) return false;
  boost::asio::ip::make_network_v6(cidr, ec);
  if (!ec) return true;
  throw std::invalid_argument("the pod CIDR \"" + cidr + "\" is not an IPv4 or IPv6 CIDR");
}

}  // namespace

json::object network_list(const CniBridgeSettings& settings, const std::vector<std::string>& pod_cidrs) {
  json::array ranges, routes;
  for (const auto& cidr : pod_cidrs) {
    const bool v6 = is_ipv6_cidr(cidr);
    ranges.emplace_back(json::array{json::object{{"subnet", cidr}}});
    routes.emplace_back(json::object{{"dst", v6 ? "::/0" : "0.0.0.0/0"}});
  }
  json::object ipam{{"type", "host-local"},
                    {"ranges", std::move(ranges)},
                    {"routes", std::move(routes)},
                    {"dataDir", settings.ipam_dir.string()}};
  json::object bridge{{"type", "bridge"},
                      {"bridge", settings.bridge},
                      {"isGateway", true},
                      {"ipMasq", settings.ip_masq},
                      {"hairpinMode", settings.hairpin_mode},
                      {"ipam", std::move(ipam)}};
  if (settings.mtu != 0) bridge["mtu"] = settings.mtu;
  json::object portmap{{"type", "portmap"}, {"capabilities", {{"portMappings", true}}}, {"snat", true}};
  return json::object{{"cniVersion", kCniVersion},
                      {"name", settings.network_name},
                      {"plugins", json::array{std::move(bridge), std::move(portmap)}}};
}

json::object plugin_config(const json::object& list, const json::object& plugin,
                           const json::value& prev_result, const PodNetwork& pod) {
  json::object config = plugin;
  config["cniVersion"] = string_at(list, {"cniVersion"}, kCniVersion);
  config["name"] = string_at(list, {"name"});
  if (!prev_result.is_null()) config["prevResult"] = prev_result;
  const auto* capabilities = machinery::object_at(plugin, {"capabilities"});
  if (capabilities && machinery::bool_at(*capabilities, {"portMappings"}).value_or(false) &&
      !pod.port_mappings.empty()) {
    json::array mappings;
    for (const auto& p : pod.port_mappings) {
      json::object m{{"hostPort", p.host_port},
                     {"containerPort", p.container_port},
                     {"protocol", machinery::ascii_lower(p.protocol.empty() ? "TCP" : p.protocol)}};
      if (!p.host_ip.empty()) m["hostIP"] = p.host_ip;
      mappings.emplace_back(std::move(m));
    }
    config["runtimeConfig"] = json::object{{"portMappings", std::move(mappings)}};
  }
  return config;
}

json::object loopback_config() {
  return json::object{{"cniVersion", kCniVersion}, {"name", "cni-loopback"}, {"type", "loopback"}};
}

Attachment attachment_from_result(const json::value& result) {
  Attachment out;
  const auto* object = result.if_object();
  if (!object) return out;
  const auto* interfaces = machinery::array_at(*object, {"interfaces"});
  machinery::for_each_object(machinery::array_at(*object, {"ips"}), [&](const json::object& ip, size_t) {
    std::string address = string_at(ip, {"address"});
    if (auto slash = address.find('/'); slash != std::string::npos) address.resize(slash);
    if (address.empty()) return;
    out.ips.push_back(address);
    if (out.gateway.empty()) out.gateway = string_at(ip, {"gateway"});
    if (out.interface.empty() && interfaces) {
      const int64_t index = machinery::int_or(ip, {"interface"}, -1);
      if (index >= 0 && static_cast<size_t>(index) < interfaces->size() && (*interfaces)[index].is_object())
        out.interface = string_at((*interfaces)[index].get_object(), {"name"});
    }
  });
  return out;
}

std::string cni_args(const PodNetwork& pod) {
  return "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + pod.pod_namespace + ";K8S_POD_NAME=" + pod.pod_name +
         ";K8S_POD_INFRA_CONTAINER_ID=" + pod.sandbox_id + ";K8S_POD_UID=" + pod.pod_uid;
}

}  // namespace ukube::network::cni
