#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "service_ports.h"

// The nftables program of the proxy: one table holding a verdict map from (address,
// protocol, port) to a chain per service port that picks an endpoint and DNATs to it, as
// kube-proxy's nftables mode does. An ordinary service port is one rule (a numgen map over
// its endpoints); only ClientIP affinity needs a chain and a timeout set per endpoint.
namespace ukube::proxy {

struct RulesetSettings {
  std::string table = "ukube-proxy";  // in the ip family
  // Traffic to a cluster IP (of service_cidr) from outside this CIDR (the node itself, other
  // hosts) is masqueraded, so replies come back through this node. Empty: none is.
  std::string cluster_cidr = "10.42.0.0/16";
  // Traffic to an address of this CIDR that no service port took is refused at once
  // instead of leaving the node by its default route.
  std::string service_cidr = "10.43.0.0/16";
};

// What one Service adds to the table.
struct ServiceRules {
  std::map<std::string, std::string> chains;  // name → its rules, one per line
  std::map<std::string, std::string> sets;    // name → declaration (affinity sets)
  // Elements of the shared maps and sets (service-ips, service-nodeports,
  // no-endpoint-services, no-endpoint-nodeports, hairpin): container → key → value ("" for sets).
  std::map<std::string, std::map<std::string, std::string>> elements;
  bool operator==(const ServiceRules&) const = default;
};

// Where a service port's endpoints sit in the shared endpoint maps: `count` consecutive
// integer keys from `first` in map endpoints-<shard>. Thousands of anonymous maps in one
// transaction cost the kernel time quadratic in their number; a few shared maps do not.
struct KeyBlock {
  uint32_t shard = 0, first = 0, count = 0;
};

// Hands out key blocks, keeping a port's block while its endpoint count stays the same,
// so a changed endpoint rewrites map elements only, never the port's rule.
class EndpointKeys {
 public:
  static constexpr uint32_t kShards = 128;
  KeyBlock block(const std::string& port, uint32_t count);
  // Forgets the blocks of ports whose id starts with `prefix` ("ns/name/" of a Service).
  void forget(const std::string& prefix);
  void clear();

 private:
  std::map<std::string, KeyBlock> blocks_;
  uint32_t next_[kShards] = {};
};

ServiceRules rules_for(const std::vector<ServicePort>& ports, const RulesetSettings& settings,
                       EndpointKeys& keys);

// The table's shared maps and base chains, made where missing and rewritten where present;
// service chains and map elements are kept. A daemon starting over its own table applies
// it at once, so service addresses are refused, never routed away, before the first sync.
std::string base_table(const RulesetSettings& settings);
// The table with its shared maps and base chains and no service, as a transaction that
// replaces any earlier table of that name.
std::string fresh_table(const RulesetSettings& settings);

// Builds one transaction from the changes of many Services: the parts go in an order that
// keeps every reference valid (chains before the elements that name them, elements removed
// before their chains). Shared elements are counted: two Services contributing one
// element (a pod behind both, in `hairpin`) add it once and remove it with the last.
class Transaction {
 public:
  explicit Transaction(std::string table) : table_(std::move(table)) {}
  void change(const ServiceRules& before, const ServiceRules& after);
  std::string text() const;
  bool empty() const;
  size_t rule_count() const { return rules_; }

  // Element reference counts, kept across transactions by the caller.
  struct Counted {
    std::string value;
    int refs = 0;
  };
  using ElementCounts = std::map<std::string, std::map<std::string, Counted>>;
  void use_counts(ElementCounts* counts) { counts_ = counts; }

 private:
  std::string table_;
  ElementCounts* counts_ = nullptr;
  std::string add_objects_, rules_text_, delete_chains_, delete_endpoint_chains_, delete_sets_;
  std::map<std::string, std::vector<std::string>> deleted_, added_;  // container → elements
  size_t rules_ = 0;
};

}  // namespace ukube::proxy
