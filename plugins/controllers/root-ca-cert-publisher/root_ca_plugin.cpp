#include "root_ca_plugin.h"

#include "controllers/root-ca-cert-publisher/config.pb.h"
#include "root_ca_publisher.h"

namespace ukube::controllers::rootca {

RootCAPlugin::RootCAPlugin() : ControllerPlugin({"root-ca-cert-publisher", "root-ca-cert-publisher"}) {}

void RootCAPlugin::configure(InitContext& ctx) {
  const auto& config = ctx.config_as<RootCAPublisherConfig>();
  settings_ = controller::controller_settings(config, 1);
  ca_file_ =
      config.ca_file().empty() ? ctx.data_dir() / "pki" / "ca.crt" : std::filesystem::path(config.ca_file());
  if (ca_file_.is_relative()) ca_file_ = ctx.data_dir() / ca_file_;
}

std::unique_ptr<controller::RunningController> RootCAPlugin::make_running(
    const controller::ControllerDeps& deps) {
  return std::make_unique<RootCAPublisher>(deps, ca_file_, settings_.workers);
}

}  // namespace ukube::controllers::rootca
