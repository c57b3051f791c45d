#pragma once

#include <memory>

#include "ukube/plugin.h"

// ukube.networkpolicy.v1.nftables: NetworkPolicies of this node's pods in nftables
// (policy_rules.h, policy_enforcer.h).
namespace ukube::network_policy {

class PolicyEnforcer;

class NetworkPolicyPlugin final : public Plugin {
 public:
  NetworkPolicyPlugin();
  ~NetworkPolicyPlugin() override;
  // Throws std::runtime_error saying why when this machine cannot run it (not root, no nft).
  void init(InitContext& ctx) override;
  void start() override;
  // The table stays: policies hold while the daemon restarts or reloads.
  void stop() override;

 private:
  std::unique_ptr<PolicyEnforcer> enforcer_;
};

}  // namespace ukube::network_policy
