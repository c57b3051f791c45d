#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ukube/informer.h"
#include "ukube/plugin.h"

// ukube.admission.v1.node-restriction: NodeRestriction admission, which keeps kubelets to
// their own Node and the pods bound to it. It reads pods and nodes from informers.
namespace ukube::rbac {

class NodeRestrictionPlugin final : public Plugin {
 public:
  ~NodeRestrictionPlugin() override;
  void init(InitContext& ctx) override;
  void start() override;
  void stop() override;

 private:
  AuthChains* auth_ = nullptr;
  std::string uri_;
  std::shared_ptr<Informer> pods_, nodes_;  // shared with other plugins
};

}  // namespace ukube::rbac
