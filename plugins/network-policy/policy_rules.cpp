#include "policy_rules.h"

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <set>

#include "ukube/machinery/ip.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/names.h"
#include "ukube/machinery/pod.h"

namespace ukube::network_policy {

namespace json = boost::json;
using machinery::array_at;
using machinery::object_at;
using machinery::string_at;

namespace {

struct PodView {
  const json::object* pod = nullptr;
  std::string ns, name, ip;  // ip: empty when the pod has no IPv4 address
  const json::object* labels = nullptr;
};

std::string ipv4_of(const json::object& pod) {
  std::string found;
  machinery::for_each_object(array_at(pod, {"status", "podIPs"}), [&](const json::object& entry, size_t) {
    const std::string ip = string_at(entry, {"ip"});
    if (found.empty() && !ip.empty() && ip.find(':') == std::string::npos) found = ip;
  });
  if (found.empty()) {
    const std::string ip = string_at(pod, {"status", "podIP"});
    if (ip.find(':') == std::string::npos) found = ip;
  }
  return found;
}

// A port (or every port of a protocol, first == 0) as an nft match.
struct PortMatch {
  std::string protocol;
  int64_t first = 0, last = 0;

  std::string text() const {
    std::string out = "meta l4proto " + protocol;
    if (first > 0)
      out += " th dport " + std::to_string(first) + (last > first ? "-" + std::to_string(last) : "");
    return out;
  }
};

// The numbers `pod`'s containers give the port named `name` for `protocol`.
std::vector<int64_t> named_port(const json::object& pod, const std::string& name,
                                const std::string& protocol) {
  std::vector<int64_t> out;
  for (const char* list : {"initContainers", "containers"})
    machinery::for_each_object(array_at(pod, {"spec", list}), [&](const json::object& c, size_t) {
      machinery::for_each_object(array_at(c, {"ports"}), [&](const json::object& p, size_t) {
        const std::string proto = string_at(p, {"protocol"}, "TCP");
        if (string_at(p, {"name"}) == name && proto == protocol)
          if (auto number = machinery::int_at(p, {"containerPort"})) out.push_back(*number);
      });
    });
  return out;
}

// A rule's ports as matches, named ones resolved on `pod` (left out when it is null or
// has no such port). nullopt: the rule names no port, so it allows every one.
std::optional<std::vector<PortMatch>> port_matches(const json::object& rule, const json::object* pod) {
  const auto* ports = array_at(rule, {"ports"});
  if (!ports || ports->empty()) return std::nullopt;
  std::vector<PortMatch> out;
  machinery::for_each_object(ports, [&](const json::object& p, size_t) {
    const std::string protocol = string_at(p, {"protocol"}, "TCP");
    const json::value* port = p.if_contains("port");
    if (!port || port->is_null()) return out.push_back({machinery::ascii_lower(protocol)});
    if (port->is_string()) {
      if (pod)
        for (int64_t n : named_port(*pod, std::string(port->get_string()), protocol))
          out.push_back({machinery::ascii_lower(protocol), n, n});
      return;
    }
    if (auto n = machinery::as_int(*port))
      out.push_back({machinery::ascii_lower(protocol), *n, machinery::int_or(p, {"endPort"}, *n)});
  });
  return out;
}

bool has_named_port(const json::object& rule) {
  bool named = false;
  machinery::for_each_object(array_at(rule, {"ports"}), [&](const json::object& p, size_t) {
    if (const auto* port = p.if_contains("port"); port && port->is_string()) named = true;
  });
  return named;
}

class TableBuilder {
 public:
  TableBuilder(const PolicyInputs& in, std::string node_name) : node_(std::move(node_name)) {
    for (const auto* ns : in.namespaces)
      namespace_labels_[machinery::name_of(*ns)] = machinery::labels_of(*ns);
    for (const auto* pod : in.pods) {
      PodView view{pod, machinery::namespace_of(*pod), machinery::name_of(*pod), ipv4_of(*pod),
                   machinery::labels_of(*pod)};
      if (machinery::bool_at(*pod, {"spec", "hostNetwork"}).value_or(false) ||
          machinery::is_pod_terminal(*pod))
        view.ip.clear();
      pods_.push_back(view);
    }
    policies_ = in.policies;
  }

  PolicyTable build(const std::string& table) {
    std::string chains, ingress_elements, egress_elements;
    for (const auto& pod : pods_) {
      if (pod.ip.empty() || (!node_.empty() && string_at(*pod.pod, {"spec", "nodeName"}) != node_)) continue;
      for (bool ingress : {false, true}) {
        std::vector<const json::object*> selecting = policies_for(pod, ingress ? "Ingress" : "Egress");
        if (selecting.empty()) continue;
        const std::string chain = (ingress ? "in-" : "out-") + pod.ip;
        std::string body;
        for (const auto* policy : selecting)
          machinery::for_each_object(array_at(*policy, {"spec", ingress ? "ingress" : "egress"}),
                                     [&](const json::object& rule, size_t) {
                                       body += ingress ? ingress_rules(rule, pod,
                                                                       machinery::namespace_of(*policy))
                                                       : egress_rules(rule, machinery::namespace_of(*policy));
                                     });
        body += "\t\tdrop\n";
        chains += "\tchain " + chain + " {\n\t\tcomment \"" + (ingress ? "ingress of " : "egress of ") +
                  pod.ns + "/" + pod.name + "\"\n" + body + "\t}\n";
        (ingress ? ingress_elements : egress_elements) +=
            (ingress ? ingress_elements : egress_elements).empty() ? "" : ", ";
        (ingress ? ingress_elements : egress_elements) += pod.ip + " : jump " + chain;
        ++result_.isolated;
      }
    }
    const std::string t = "ip " + table;
    auto map = [](const char* name, const std::string& elements) {
      return std::string("\tmap ") + name + " {\n\t\ttype ipv4_addr : verdict\n" +
             (elements.empty() ? "" : "\t\telements = { " + elements + " }\n") + "\t}\n";
    };
    result_.script = "add table " + t + "\ndelete table " + t + "\ntable " + t + " {\n" +
                     map("egress-pods", egress_elements) + map("ingress-pods", ingress_elements) + chains +
                     "\tchain forward {\n"
                     "\t\ttype filter hook forward priority filter; policy accept;\n"
                     "\t\tct state established,related accept\n"
                     "\t\tip saddr vmap @egress-pods\n"
                     "\t\tip daddr vmap @ingress-pods\n"
                     "\t}\n}\n";
    return std::move(result_);
  }

 private:
  bool namespace_matches(const LabelSelector& selector, const std::string& ns) const {
    auto it = namespace_labels_.find(ns);
    return it != namespace_labels_.end() && machinery::matches(selector, it->second);
  }

  // Policies of the pod's namespace that select it and isolate it in `direction`.
  std::vector<const json::object*> policies_for(const PodView& pod, const std::string& direction) const {
    std::vector<const json::object*> out;
    for (const auto* policy : policies_) {
      if (machinery::namespace_of(*policy) != pod.ns) continue;
      const auto types = machinery::strings_at(*policy, {"spec", "policyTypes"});
      if (std::find(types.begin(), types.end(), direction) == types.end()) continue;
      // An omitted podSelector is the empty one, as upstream decodes it: every pod.
      const auto* pod_selector = object_at(*policy, {"spec", "podSelector"});
      const auto selector =
          pod_selector ? machinery::selector_from_json_or_nothing(pod_selector) : LabelSelector{};
      if (machinery::matches(selector, pod.labels)) out.push_back(policy);
    }
    return out;
  }

  // The pods a peer selects (a peer with an ipBlock selects none).
  std::vector<const PodView*> peer_pods(const json::object& peer, const std::string& policy_ns) const {
    std::vector<const PodView*> out;
    const auto* pod_selector = object_at(peer, {"podSelector"});
    const auto* ns_selector = object_at(peer, {"namespaceSelector"});
    if (!pod_selector && !ns_selector) return out;
    // Without a podSelector, every pod of the selected namespaces.
    const auto pods = pod_selector ? machinery::selector_from_json_or_nothing(pod_selector) : LabelSelector{};
    const auto namespaces = machinery::selector_from_json_or_nothing(ns_selector);
    for (const auto& pod : pods_) {
      if (pod.ip.empty()) continue;
      const bool in_scope = ns_selector ? namespace_matches(namespaces, pod.ns) : pod.ns == policy_ns;
      if (in_scope && machinery::matches(pods, pod.labels)) out.push_back(&pod);
    }
    return out;
  }

  // A peer as address matches on `field` (saddr, daddr); none when it selects nothing.
  std::vector<std::string> peer_matches(const json::object& peer, const std::string& policy_ns,
                                        const std::string& field) const {
    if (const auto* block = object_at(peer, {"ipBlock"})) {
      const auto cidr = machinery::IPPrefix::parse(string_at(*block, {"cidr"}));
      if (!cidr || cidr->family() != machinery::IPFamily::IPv4) return {};
      std::string match = "ip " + field + " " + cidr->to_string();
      std::string excepts;
      for (const auto& text : machinery::strings_at(*block, {"except"}))
        if (auto except = machinery::IPPrefix::parse(text);
            except && except->family() == machinery::IPFamily::IPv4)
          excepts += (excepts.empty() ? "" : ", ") + except->to_string();
      if (!excepts.empty()) match += " ip " + field + " != { " + excepts + " }";
      return {match};
    }
    std::set<std::string> ips;
    for (const auto* pod : peer_pods(peer, policy_ns)) ips.insert(pod->ip);
    if (ips.empty()) return {};
    std::string set;
    for (const auto& ip : ips) set += (set.empty() ? "" : ", ") + ip;
    return {"ip " + field + " { " + set + " }"};
  }

  // Every combination of an address match and a port match, ending in `verdict`.
  std::string combine(const std::vector<std::string>& addresses,
                      const std::optional<std::vector<PortMatch>>& ports, const std::string& verdict) {
    std::string out;
    for (const auto& address : addresses) {
      if (!ports) {
        out += "\t\t" + address + (address.empty() ? "" : " ") + verdict + "\n";
        ++result_.rules;
        continue;
      }
      for (const auto& port : *ports) {
        out += "\t\t" + address + (address.empty() ? "" : " ") + port.text() + " " + verdict + "\n";
        ++result_.rules;
      }
    }
    return out;
  }

  std::vector<std::string> addresses(const json::object& rule, const char* peers_key,
                                     const std::string& policy_ns, const std::string& field) const {
    const auto* peers = array_at(rule, {peers_key});
    if (!peers || peers->empty()) return {""};  // from/to everywhere
    std::vector<std::string> out;
    machinery::for_each_object(peers, [&](const json::object& peer, size_t) {
      for (auto& match : peer_matches(peer, policy_ns, field)) out.push_back(std::move(match));
    });
    return out;
  }

  std::string ingress_rules(const json::object& rule, const PodView& pod, const std::string& policy_ns) {
    const auto ports = port_matches(rule, pod.pod);
    if (ports && ports->empty()) return "";  // only named ports this pod does not have
    return combine(addresses(rule, "from", policy_ns, "saddr"), ports, "accept");
  }

  // Allowed egress returns to the forward chain, where the destination's ingress chain
  // has its say.
  std::string egress_rules(const json::object& rule, const std::string& policy_ns) {
    if (!has_named_port(rule))
      return combine(addresses(rule, "to", policy_ns, "daddr"), port_matches(rule, nullptr), "return");
    // A named port means a number per destination pod: one match per pod.
    std::string out;
    const auto* peers = array_at(rule, {"to"});
    std::vector<const PodView*> destinations;
    if (!peers || peers->empty()) {
      for (const auto& pod : pods_)
        if (!pod.ip.empty()) destinations.push_back(&pod);
    } else {
      machinery::for_each_object(peers, [&](const json::object& peer, size_t) {
        for (const auto* pod : peer_pods(peer, policy_ns)) destinations.push_back(pod);
      });
    }
    for (const auto* pod : destinations) {
      auto ports = port_matches(rule, pod->pod);
      if (ports && !ports->empty()) out += combine({"ip daddr " + pod->ip}, ports, "return");
    }
    // Numbered ports of the same rule still reach ipBlock peers.
    json::object numbered = rule;
    json::array kept;
    machinery::for_each_object(array_at(rule, {"ports"}), [&](const json::object& p, size_t) {
      if (const auto* port = p.if_contains("port"); !port || !port->is_string()) kept.push_back(p);
    });
    if (!kept.empty()) {
      numbered["ports"] = std::move(kept);
      out +=
          combine(addresses(numbered, "to", policy_ns, "daddr"), port_matches(numbered, nullptr), "return");
    }
    return out;
  }

  std::string node_;
  std::map<std::string, const json::object*> namespace_labels_;
  std::vector<PodView> pods_;
  std::vector<const json::object*> policies_;
  PolicyTable result_;
};

}  // namespace

PolicyTable policy_table(const PolicyInputs& inputs, const std::string& table, const std::string& node_name) {
  return TableBuilder(inputs, node_name).build(table);
}

}  // namespace ukube::network_policy
