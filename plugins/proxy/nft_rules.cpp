#include "nft_rules.h"

#include <algorithm>
#include <functional>
#include <sstream>

namespace ukube::proxy {

namespace {

constexpr const char* kServiceIps = "service-ips";
constexpr const char* kServiceNodePorts = "service-nodeports";
constexpr const char* kNoEndpointServices = "no-endpoint-services";
constexpr const char* kNoEndpointNodePorts = "no-endpoint-nodeports";
constexpr const char* kHairpin = "hairpin";

// "default/web/tcp/http": unique per service port, and only of characters nft names allow.
std::string port_id(const ServicePort& sp) {
  return sp.service + "/" + sp.protocol + "/" +
         (sp.port_name.empty() ? std::to_string(sp.port) : sp.port_name);
}

std::string address(const Endpoint& e) {
  return e.ip + " . " + std::to_string(e.port);
}

void add_element(ServiceRules& out, const std::string& container, const std::string& key,
                 const std::string& value = "") {
  out.elements[container].emplace(key, value);
}

// Picks one of `endpoints` and DNATs to it; `prefix` names the per-endpoint chains and
// sets an affinity needs ("svc" or "ext").
void dispatch(ServiceRules& out, std::string& chain, const ServicePort& sp,
              const std::vector<Endpoint>& endpoints, const std::string& prefix, EndpointKeys& keys) {
  const std::string id = port_id(sp);
  const std::string nat = "meta l4proto " + sp.protocol + " dnat ip to ";
  if (sp.affinity_seconds <= 0) {
    if (endpoints.size() == 1) {
      chain += nat + endpoints[0].ip + ":" + std::to_string(endpoints[0].port) + "\n";
      return;
    }
    const KeyBlock block = keys.block(prefix + "|" + id, static_cast<uint32_t>(endpoints.size()));
    const std::string map = "endpoints-" + std::to_string(block.shard);
    chain += nat + "numgen random mod " + std::to_string(block.count) + " offset " +
             std::to_string(block.first) + " map @" + map + "\n";
    for (uint32_t i = 0; i < block.count; ++i)
      add_element(out, map, std::to_string(block.first + i), address(endpoints[i]));
    return;
  }
  // ClientIP affinity: a client seen lately goes where it went before; each endpoint
  // remembers its clients for the affinity timeout.
  std::string pick = "numgen random mod " + std::to_string(endpoints.size()) + " vmap { ";
  for (size_t i = 0; i < endpoints.size(); ++i) {
    const std::string suffix = std::to_string(i) + "-" + id;
    const std::string set = prefix + "-aff" + std::to_string(sp.affinity_seconds) + "-" + suffix;
    const std::string endpoint_chain = prefix + "-ep" + suffix;
    out.sets[set] =
        "type ipv4_addr; flags dynamic,timeout; timeout " + std::to_string(sp.affinity_seconds) + "s;";
    out.chains[endpoint_chain] = "update @" + set + " { ip saddr }\n" + nat + endpoints[i].ip + ":" +
                                 std::to_string(endpoints[i].port) + "\n";
    chain += "ip saddr @" + set + " goto " + endpoint_chain + "\n";
    pick += (i ? ", " : "") + std::to_string(i) + " : goto " + endpoint_chain;
  }
  chain += pick + " }\n";
}

}  // namespace

KeyBlock EndpointKeys::block(const std::string& port, uint32_t count) {
  auto it = blocks_.find(port);
  if (it != blocks_.end() && it->second.count == count) return it->second;
  const auto shard = static_cast<uint32_t>(std::hash<std::string>{}(port) % kShards);
  KeyBlock block{shard, next_[shard], count};
  next_[shard] += count;
  blocks_[port] = block;
  return block;
}

void EndpointKeys::forget(const std::string& prefix) {
  for (auto it = blocks_.begin(); it != blocks_.end();) {
    const auto bar = it->first.find('|');
    if (it->first.compare(bar + 1, prefix.size(), prefix) == 0)
      it = blocks_.erase(it);
    else
      ++it;
  }
}

void EndpointKeys::clear() {
  blocks_.clear();
  std::fill(std::begin(next_), std::end(next_), 0);
}

ServiceRules rules_for(const std::vector<ServicePort>& ports, const RulesetSettings& settings,
                       EndpointKeys& keys) {
  ServiceRules out;
  for (const auto& sp : ports) {
    const std::string id = port_id(sp);
    const std::string proto_port = sp.protocol + " . " + std::to_string(sp.port);
    if (!sp.internal_endpoints.empty()) {
      const std::string name = "svc-" + id;
      std::string chain;
      dispatch(out, chain, sp, sp.internal_endpoints, "svc", keys);
      out.chains[name] = chain;
      for (const auto& ip : sp.cluster_ips)
        add_element(out, kServiceIps, ip + " . " + proto_port, "goto " + name);
    }
    // Traffic from outside the cluster: node ports, external and load-balancer IPs.
    std::vector<std::string> outside_ips = sp.external_ips;
    outside_ips.insert(outside_ips.end(), sp.load_balancer_ips.begin(), sp.load_balancer_ips.end());
    if (!sp.load_balancer_ips.empty()) outside_ips.push_back("127.0.0.1");  // as k3s' servicelb
    if (sp.node_port == 0 && outside_ips.empty()) continue;
    const bool reachable = !sp.external_endpoints.empty() || sp.external_local;
    if (!reachable) {
      for (const auto& ip : outside_ips) add_element(out, kNoEndpointServices, ip + " . " + proto_port);
      if (sp.node_port)
        add_element(out, kNoEndpointNodePorts, sp.protocol + " . " + std::to_string(sp.node_port));
      continue;
    }
    const std::string name = "ext-" + id;
    std::string chain;
    if (sp.external_local) {
      // The client's address is kept, except for the node's own traffic, which must come
      // back through it; without a local endpoint the traffic is dropped, as upstream.
      chain += "fib saddr type local jump mark-for-masquerade\n";
      if (sp.external_endpoints.empty())
        chain += "drop\n";
      else
        dispatch(out, chain, sp, sp.external_endpoints, "ext", keys);
    } else {
      chain += "jump mark-for-masquerade\n";
      dispatch(out, chain, sp, sp.external_endpoints, "ext", keys);
    }
    out.chains[name] = chain;
    for (const auto& ip : outside_ips) add_element(out, kServiceIps, ip + " . " + proto_port, "goto " + name);
    if (sp.node_port)
      add_element(out, kServiceNodePorts, sp.protocol + " . " + std::to_string(sp.node_port), "goto " + name);
  }
  // A pod reaching itself through a Service address is masqueraded, or its own replies
  // would bypass the NAT.
  for (const auto& sp : ports) {
    for (const auto* list : {&sp.internal_endpoints, &sp.external_endpoints})
      for (const auto& e : *list) add_element(out, kHairpin, e.ip + " . " + e.ip);
  }
  return out;
}

std::string base_table(const RulesetSettings& s) {
  const std::string t = "ip " + s.table;
  std::string out = "add table " + t + "\n";
  out += "add map " + t + " service-ips { type ipv4_addr . inet_proto . inet_service : verdict; }\n";
  out += "add map " + t + " service-nodeports { type inet_proto . inet_service : verdict; }\n";
  out += "add set " + t + " no-endpoint-services { type ipv4_addr . inet_proto . inet_service; }\n";
  out += "add set " + t + " no-endpoint-nodeports { type inet_proto . inet_service; }\n";
  out += "add set " + t + " hairpin { type ipv4_addr . ipv4_addr; }\n";
  for (uint32_t shard = 0; shard < EndpointKeys::kShards; ++shard)
    out += "add map " + t + " endpoints-" + std::to_string(shard) +
           " { typeof numgen random mod 1 : ip daddr . tcp dport; }\n";
  // Base chains are flushed and written anew: existing service chains and map elements
  // are left as they are, so this can run over a table in use.
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> chains;
  chains["mark-for-masquerade"] = {"", {"meta mark set meta mark | 0x4000"}};
  chains["services"] = {"",
                        {"ip daddr . meta l4proto . th dport vmap @service-ips",
                         "fib daddr type local meta l4proto . th dport vmap @service-nodeports"}};
  chains["nat-prerouting"] = {"type nat hook prerouting priority dstnat; policy accept;", {"jump services"}};
  chains["nat-output"] = {"type nat hook output priority -100; policy accept;", {"jump services"}};
  std::vector<std::string> masquerade{
      "meta mark & 0x4000 == 0x4000 meta mark set meta mark ^ 0x4000 masquerade",
      "ct status dnat ip saddr . ip daddr @hairpin masquerade"};
  // Traffic to a cluster IP from outside the pods' CIDR (the node, another host) must come
  // back through this node: one rule for every Service rather than one in each.
  if (!s.cluster_cidr.empty() && !s.service_cidr.empty())
    masquerade.push_back("ct status dnat ct original ip daddr " + s.service_cidr +
                         " ip saddr != " + s.cluster_cidr + " masquerade");
  chains["nat-postrouting"] = {"type nat hook postrouting priority srcnat; policy accept;", masquerade};
  chains["reject-traffic"] = {"", {"meta l4proto tcp reject with tcp reset", "reject"}};
  // After the NAT (priority 0 > -100): what still heads for a service address was taken by
  // no service port with endpoints.
  std::vector<std::string> refuse_services;
  if (!s.service_cidr.empty())
    refuse_services.push_back("ip daddr " + s.service_cidr + " goto reject-traffic");
  refuse_services.push_back("ip daddr . meta l4proto . th dport @no-endpoint-services goto reject-traffic");
  const std::string refuse_node_ports =
      "fib daddr type local meta l4proto . th dport @no-endpoint-nodeports goto reject-traffic";
  chains["filter-input"] = {
      "type filter hook input priority 0; policy accept;",
      {"ip daddr . meta l4proto . th dport @no-endpoint-services goto reject-traffic", refuse_node_ports}};
  chains["filter-forward"] = {"type filter hook forward priority 0; policy accept;", refuse_services};
  auto output = refuse_services;
  output.push_back(refuse_node_ports);
  chains["filter-output"] = {"type filter hook output priority 0; policy accept;", output};
  for (const auto& [name, chain] : chains)
    out += "add chain " + t + " " + name + (chain.first.empty() ? "" : " { " + chain.first + " }") + "\n";
  for (const auto& [name, chain] : chains) {
    out += "flush chain " + t + " " + name + "\n";
    for (const auto& rule : chain.second) out += "add rule " + t + " " + name + " " + rule + "\n";
  }
  return out;
}

std::string fresh_table(const RulesetSettings& s) {
  const std::string t = "ip " + s.table;
  return "add table " + t + "\ndelete table " + t + "\n" + base_table(s);
}

void Transaction::change(const ServiceRules& before, const ServiceRules& after) {
  const std::string t = "ip " + table_;
  for (const auto& [name, decl] : after.sets)
    if (!before.sets.count(name)) add_objects_ += "add set " + t + " " + name + " { " + decl + " }\n";
  for (const auto& [name, rules] : after.chains) {
    auto old = before.chains.find(name);
    if (old == before.chains.end())
      add_objects_ += "add chain " + t + " " + name + "\n";
    else if (old->second == rules)
      continue;
    else
      rules_text_ += "flush chain " + t + " " + name + "\n";
    std::istringstream lines(rules);
    for (std::string line; std::getline(lines, line);) {
      rules_text_ += "add rule " + t + " " + name + " " + line + "\n";
      ++rules_;
    }
  }
  // Elements: removed or changed ones go first, then the new.
  for (const auto& [container, items] : before.elements) {
    const auto* now = after.elements.count(container) ? &after.elements.at(container) : nullptr;
    for (const auto& [key, value] : items) {
      if (now) {
        auto kept = now->find(key);
        if (kept != now->end() && kept->second == value) continue;
      }
      bool last = true;
      if (counts_) {
        auto& counted = (*counts_)[container];
        auto it = counted.find(key);
        if (it == counted.end() || it->second.value != value) continue;  // never added: a conflict
        last = --it->second.refs == 0;
        if (last) counted.erase(it);
      }
      if (last) deleted_[container].push_back(key);
    }
  }
  for (const auto& [container, items] : after.elements) {
    const auto* was = before.elements.count(container) ? &before.elements.at(container) : nullptr;
    for (const auto& [key, value] : items) {
      if (was) {
        auto kept = was->find(key);
        if (kept != was->end() && kept->second == value) continue;
      }
      bool first = true;
      if (counts_) {
        auto& counted = (*counts_)[container][key];
        if (counted.refs > 0 && counted.value != value) continue;  // taken by another service
        counted.value = value;
        first = counted.refs++ == 0;
      }
      if (first) added_[container].push_back(value.empty() ? key : key + " : " + value);
    }
  }
  for (const auto& [name, rules] : before.chains)
    if (!after.chains.count(name))
      (name.starts_with("svc-ep") || name.starts_with("ext-ep") ? delete_endpoint_chains_ : delete_chains_) +=
          "delete chain " + t + " " + name + "\n";
  for (const auto& [name, decl] : before.sets)
    if (!after.sets.count(name)) delete_sets_ += "delete set " + t + " " + name + "\n";
}

std::string Transaction::text() const {
  // One command per container: nft parses and sends a long element list much faster than
  // as many commands of one element each.
  auto elements = [this](const char* verb, const std::map<std::string, std::vector<std::string>>& items) {
    std::string out;
    for (const auto& [container, list] : items) {
      out += std::string(verb) + " element ip " + table_ + " " + container + " { ";
      for (size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + list[i];
      out += " }\n";
    }
    return out;
  };
  return add_objects_ + rules_text_ + elements("delete", deleted_) + elements("add", added_) +
         delete_chains_ + delete_endpoint_chains_ + delete_sets_;
}

bool Transaction::empty() const {
  for (const auto* part :
       {&add_objects_, &rules_text_, &delete_chains_, &delete_endpoint_chains_, &delete_sets_})
    if (!part->empty()) return false;
  return deleted_.empty() && added_.empty();
}

}  // namespace ukube::proxy
