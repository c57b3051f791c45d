#pragma once

#include <memory>
#include <string>
#include <vector>

#include "node_authorizer.h"
#include "node_graph.h"
#include "ukube/informer.h"
#include "ukube/plugin.h"

// ukube.authorizer.v1.node: the Node authorizer (listed before RBAC in the config). It
// watches what it judges by with informers; until those have listed, it has no
// relationships to allow.
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
  std::vector<std::shared_ptr<Informer>> informers_;  // shared with other plugins
  std::vector<InformerRegistration> registrations_;
};

}  // namespace ukube::rbac
