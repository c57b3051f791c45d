#include "namespace_plugin.h"

#include "controllers/namespace/config.pb.h"
#include "namespace_controller.h"
#include "ukube/auth.h"
#include "ukube/machinery/identities.h"
#include "ukube/pipeline.h"
#include "ukube/types.h"

namespace ukube::controllers::namespace_ {

NamespacePlugin::NamespacePlugin() : ControllerPlugin({"namespace", "namespace-controller"}) {}

void NamespacePlugin::configure(InitContext& ctx) {
  settings_ = controller::controller_settings(ctx.config_as<NamespaceConfig>(), kDefaultWorkers);
  types_ = &ctx.types();
  pipeline_ = &ctx.pipeline();
}

std::unique_ptr<controller::RunningController> NamespacePlugin::make_running(
    const controller::ControllerDeps& deps) {
  DeleterOptions deleter;
  deleter.discover = [types = types_] { return types->all(); };
  // Client has no DELETE on a collection: it goes through the request pipeline, under
  // the controller's own identity as every other call.
  deleter.delete_collection =
      [pipeline = pipeline_, user = machinery::controller_identity(identity().service_account)](
          const GroupVersionResource& gvr, std::string_view ns, const DeleteOptions& options) {
        pipeline->delete_collection(user, gvr, ns, ListOptions{}, options);
      };
  ControllerOptions options;
  options.workers = settings_.workers;
  return std::make_unique<NamespaceController>(deps, std::move(deleter), options);
}

}  // namespace ukube::controllers::namespace_
