#pragma once

#include <memory>
#include <shared_mutex>
#include <vector>

#include "node_graph.h"
#include "ukube/auth.h"
#include "ukube/machinery/policy_rule.h"

// ukube.authorizer.v1.node: upstream's Node authorizer. A kubelet (system:node:<name> in
// system:nodes) may read the secrets, config maps, claims, volumes and service-account
// tokens that pods bound to its node use, its own Lease and CSINode, and otherwise what
// the system:node ClusterRole lists. Anything else gets no opinion, so RBAC still decides.
namespace ukube::rbac {

// The system:node ClusterRole's rules, as the cluster holds them (the RBAC plugin writes
// the bootstrap policy), so the rules live in one place.
class NodeRules {
 public:
  void set(std::vector<PolicyRule> rules);
  bool allows(const RequestAttributes& attributes) const;

 private:
  mutable std::shared_mutex mutex_;
  std::vector<PolicyRule> rules_;
};

class NodeAuthorizer final : public Authorizer {
 public:
  NodeAuthorizer(std::shared_ptr<const NodeGraph> graph, std::shared_ptr<const NodeRules> rules)
      : graph_(std::move(graph)), rules_(std::move(rules)) {}
  AuthzResult authorize(const RequestAttributes& attributes) override;

 private:
  AuthzResult read_related(const std::string& node, NodeObject kind, const RequestAttributes& a) const;
  AuthzResult own_object(const std::string& node, const RequestAttributes& a, const char* what) const;

  std::shared_ptr<const NodeGraph> graph_;
  std::shared_ptr<const NodeRules> rules_;
};

}  // namespace ukube::rbac
