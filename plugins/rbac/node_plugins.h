#pragma once

#include <memory>
#include <string>
#include <vector>

#include "node_authorizer.h"
#include "node_graph.h"
#include "ukube/informer.h"
#include "ukube/plugin.h"

// The kubelet-facing pair upstream enables together: the Node authorizer (listed before
// RBAC in the config) and NodeRestriction admission. Both watch what they judge by with
// informers; until those have listed, the authorizer has no relationships to allow.
namespace ukube::rbac {

class NodeAuthorizerPlugin final : public Plugin {
 public:
  ~NodeAuthorizerPlugin() override;
  void init(InitContext& ctx) override;
  void start() override;
  void stop() override;

 private:
  AuthChains* auth_ = nullptr;
  std::string uri_;
  std::shared_ptr<NodeGraph> graph_;
  std::shared_ptr<NodeRules> rules_;
  std::vector<std::unique_ptr<Informer>> informers_;
};

class NodeRestrictionPlugin final : public Plugin {
 public:
  ~NodeRestrictionPlugin() override;
  void init(InitContext& ctx) override;
  void start() override;
  void stop() override;

 private:
  AuthChains* auth_ = nullptr;
  std::string uri_;
  std::unique_ptr<Informer> pods_, nodes_;
};

}  // namespace ukube::rbac
