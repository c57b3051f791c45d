#pragma once

#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

// NetworkPolicies as one nftables table. A pod that a policy isolates gets a chain per
// direction that accepts what some policy allows and drops the rest; the forward hook
// sends each new connection through the chain of its source pod (egress), then of its
// destination pod (ingress), by address. Replies pass as established traffic. Traffic
// from the node itself (probes, the kubelet) never takes the forward path, so policies
// do not hold it, as with most upstream network plugins.
namespace ukube::network_policy {

struct PolicyInputs {
  std::vector<const boost::json::object*> policies;
  std::vector<const boost::json::object*> pods;        // every pod: peers may be anywhere
  std::vector<const boost::json::object*> namespaces;  // for namespaceSelector
};

struct PolicyTable {
  std::string script;   // one transaction that replaces the whole table
  size_t isolated = 0;  // pod directions with a chain (a pod isolated both ways counts twice)
  size_t rules = 0;     // rules in those chains
};

// Enforces for the running pods bound to `node_name` (every node's when empty) that are
// not on the host network and have an IPv4 address.
PolicyTable policy_table(const PolicyInputs& inputs, const std::string& table, const std::string& node_name);

}  // namespace ukube::network_policy
