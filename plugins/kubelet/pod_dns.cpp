#include "pod_dns.h"

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "ukube/machinery/json.h"

namespace ukube::kubelet {
namespace json = boost::json;
using machinery::string_at;

namespace {

// The resolver's limits, as upstream enforces them.
constexpr size_t kMaxNameservers = 3;
constexpr size_t kMaxSearchPaths = 32;

void append_unique(std::vector<std::string>& to, const std::vector<std::string>& more) {
  for (const auto& item : more)
    if (std::find(to.begin(), to.end(), item) == to.end()) to.push_back(item);
}

// Options by name ("ndots:5" is named ndots); a later one replaces an earlier one.
void merge_options(std::vector<std::string>& options, const std::string& option) {
  const std::string name = option.substr(0, option.find(':'));
  for (auto& existing : options)
    if (existing.substr(0, existing.find(':')) == name) {
      existing = option;
      return;
    }
  options.push_back(option);
}

}  // namespace

runtime::DnsConfig read_resolv_conf(const std::string& path) {
  runtime::DnsConfig dns;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    std::vector<std::string> values;
    for (std::string word; words >> word;) values.push_back(word);
    if (key == "nameserver" && !values.empty())
      dns.servers.push_back(values.front());
    else if (key == "search" || key == "domain")
      dns.searches = values;
    else if (key == "options")
      for (const auto& o : values) merge_options(dns.options, o);
  }
  return dns;
}

runtime::DnsConfig pod_dns_config(const json::object& pod, const ClusterDns& cluster) {
  const json::object& spec = machinery::object_or_empty(machinery::object_at(pod, {"spec"}));
  std::string policy = string_at(spec, {"dnsPolicy"}, "ClusterFirst");
  const bool host_network = machinery::bool_at(spec, {"hostNetwork"}).value_or(false);
  if ((policy == "ClusterFirst" && host_network) ||
      (policy.starts_with("ClusterFirst") && cluster.servers.empty()))
    policy = "Default";
  runtime::DnsConfig dns;
  if (policy == "ClusterFirst" || policy == "ClusterFirstWithHostNet") {
    dns.servers = cluster.servers;
    const std::string ns = machinery::namespace_of(pod);
    dns.searches = {ns + ".svc." + cluster.domain, "svc." + cluster.domain, cluster.domain};
    append_unique(dns.searches, cluster.host.searches);
    dns.options = {"ndots:5"};
  } else if (policy == "Default") {
    dns = cluster.host;
  }
  if (const auto* config = machinery::object_at(spec, {"dnsConfig"})) {
    append_unique(dns.servers, machinery::strings_at(*config, {"nameservers"}));
    append_unique(dns.searches, machinery::strings_at(*config, {"searches"}));
    machinery::for_each_object(machinery::array_at(*config, {"options"}), [&](const json::object& o, size_t) {
      const std::string name = string_at(o, {"name"});
      if (name.empty()) return;
      const auto* value = o.if_contains("value");
      merge_options(dns.options,
                    value && value->is_string() ? name + ":" + std::string(value->get_string()) : name);
    });
  }
  if (dns.servers.size() > kMaxNameservers) dns.servers.resize(kMaxNameservers);
  if (dns.searches.size() > kMaxSearchPaths) dns.searches.resize(kMaxSearchPaths);
  return dns;
}

}  // namespace ukube::kubelet
