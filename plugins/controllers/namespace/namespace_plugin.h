#pragma once

#include <memory>

#include "ukube/controller/controller_plugin.h"

namespace ukube {
class RequestPipeline;
class TypeRegistry;
}  // namespace ukube

// Plugin ukube.controller.v1.namespace: upstream's namespace controller, acting as
// system:serviceaccount:kube-system:namespace-controller. The resources it empties a
// namespace of are the type registry's, read on every pass (CRDs included).
namespace ukube::controllers::namespace_ {

class NamespacePlugin final : public controller::ControllerPlugin {
 public:
  // Namespaces synced at once unless the config says (upstream's --concurrent-namespace-syncs).
  static constexpr unsigned kDefaultWorkers = 10;

  NamespacePlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;

 private:
  const TypeRegistry* types_ = nullptr;
  RequestPipeline* pipeline_ = nullptr;
};

}  // namespace ukube::controllers::namespace_
