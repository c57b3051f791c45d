#include "cni_bridge_plugin.h"

#include <spdlog/logger.h>

#include <stdexcept>

#include "cni-bridge/config.pb.h"
#include "cni_driver.h"
#include "settings.h"

namespace ukube::network::cni {

CniBridgePlugin::CniBridgePlugin() = default;
CniBridgePlugin::~CniBridgePlugin() = default;

void CniBridgePlugin::init(InitContext& ctx) {
  CniBridgeSettings settings = settings_from(ctx.config_as<cni_bridge::CniBridgeConfig>(), ctx.state_dir());
  if (std::string why = why_cni_cannot_run(settings); !why.empty())
    throw std::runtime_error(why +
                             "; without a network plugin, pods of runtime-runc have only a loopback "
                             "interface and report the node's IP");
  auto logger = ctx.logger();
  if (logger)
    logger->info("cni-bridge: pods on bridge {} with the CNI plugins of {} (network {})", settings.bridge,
                 settings.bin_dir.string(), settings.network_name);
  driver_ = std::make_shared<CniDriver>(std::move(settings), logger);
}

std::shared_ptr<NetworkDriver> CniBridgePlugin::driver_for_node(const std::string& node_name) {
  if (!driver_) throw std::logic_error("cni-bridge: driver_for_node called before init");
  node_.bind(node_name);
  return driver_;
}

}  // namespace ukube::network::cni
