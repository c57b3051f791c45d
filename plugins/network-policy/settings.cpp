#include "settings.h"

#include "network-policy/config.pb.h"
#include "ukube/node/nft.h"
#include "ukube/node/node_ip.h"

namespace ukube::network_policy {

Settings settings_from(const NetworkPolicyConfig& config) {
  Settings s;
  s.node_name = config.node_name().empty() ? runtime::node::default_node_name() : config.node_name();
  if (!config.table().empty()) s.table = config.table();
  runtime::node::check_nft_table_name(s.table, "network policy config: table");
  if (config.min_sync_period_ms() > 0)
    s.min_sync_period = std::chrono::milliseconds(config.min_sync_period_ms());
  s.nft_path = runtime::node::nft_path_or_default(config.nft_path());
  return s;
}

}  // namespace ukube::network_policy
