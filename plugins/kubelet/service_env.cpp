#include "service_env.h"

#include <boost/json.hpp>
#include <cctype>
#include <map>

#include "ukube/machinery/json.h"
#include "ukube/machinery/names.h"
#include "ukube/machinery/service_endpoints.h"

namespace ukube::kubelet {
namespace json = boost::json;
using machinery::string_at;

namespace {

std::string env_name(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

void add_service(std::vector<runtime::KeyValue>& env, const json::object& service) {
  const auto* ports = machinery::array_at(service, {"spec", "ports"});
  if (!ports || ports->empty() || !machinery::is_service_ip_set(service)) return;
  const std::string name = env_name(machinery::name_of(service));
  const std::string ip = string_at(service, {"spec", "clusterIP"});
  bool first = true;
  machinery::for_each_object(ports, [&](const json::object& port, size_t) {
    const std::string number = std::to_string(machinery::int_or(port, {"port"}, 0));
    const std::string protocol = machinery::ascii_lower(string_at(port, {"protocol"}, "TCP"));
    const std::string url =
        protocol + "://" + (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" + number;
    if (first) {
      env.push_back({name + "_SERVICE_HOST", ip});
      env.push_back({name + "_SERVICE_PORT", number});
      env.push_back({name + "_PORT", url});
    }
    if (auto port_name = string_at(port, {"name"}); !port_name.empty())
      env.push_back({name + "_SERVICE_PORT_" + env_name(port_name), number});
    const std::string prefix = name + "_PORT_" + number + "_" + env_name(protocol);
    env.push_back({prefix, url});
    env.push_back({prefix + "_PROTO", protocol});
    env.push_back({prefix + "_PORT", number});
    env.push_back({prefix + "_ADDR", ip});
    first = false;
  });
}

}  // namespace

std::vector<runtime::KeyValue> service_env(const json::object& pod, const Informer& services) {
  const std::string ns = machinery::namespace_of(pod);
  const bool links = machinery::bool_at(pod, {"spec", "enableServiceLinks"}).value_or(true);
  std::map<std::string, ObjectPtr> chosen;  // by name: one per name, the pod's namespace first
  if (links)
    for (const auto& service : services.list())
      if (machinery::namespace_of(*service) == ns) chosen[machinery::name_of(*service)] = service;
  if (!chosen.count("kubernetes"))
    if (auto kubernetes = services.get("default/kubernetes")) chosen["kubernetes"] = kubernetes;
  std::vector<runtime::KeyValue> env;
  for (const auto& [name, service] : chosen) add_service(env, *service);
  return env;
}

}  // namespace ukube::kubelet
