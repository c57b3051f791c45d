#include "network_policy_plugin.h"

#include <spdlog/logger.h>

#include <stdexcept>

#include "network-policy/config.pb.h"
#include "policy_enforcer.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/resources.h"

namespace ukube::network_policy {

namespace {}

NetworkPolicyPlugin::NetworkPolicyPlugin() = default;
NetworkPolicyPlugin::~NetworkPolicyPlugin() = default;

void NetworkPolicyPlugin::init(InitContext& ctx) {
  Settings settings = settings_from(ctx.config_as<NetworkPolicyConfig>());
  if (std::string why = runtime::node::why_nft_unusable(settings.nft_path, "network policy enforcement");
      !why.empty())
    throw std::runtime_error(why + "; without it, NetworkPolicies are not enforced");
  if (!ctx.types().find(machinery::kNetworkPolicies))
    throw std::runtime_error("the type " + machinery::kNetworkPolicies.to_string() +
                             " is not registered; enable ukube.types.v1.builtin in the config");
  auto log = ctx.logger();
  if (log)
    log->info("network policies: pods of node {} in nftables table ip {}", settings.node_name,
              settings.table);
  auto& informers = ctx.informers();
  enforcer_ = std::make_unique<PolicyEnforcer>(
      settings, informers.informer(machinery::kNetworkPolicies), informers.informer(machinery::kPods),
      informers.informer(machinery::kNamespaces), runtime::node::nft_runner(settings.nft_path), log);
}

void NetworkPolicyPlugin::start() {
  enforcer_->start();
}

void NetworkPolicyPlugin::stop() {
  if (enforcer_) enforcer_->stop();
}

}  // namespace ukube::network_policy
