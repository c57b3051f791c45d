#pragma once

#include <chrono>
#include <string>

#include "nft_rules.h"

namespace ukube::proxy {

class ProxyConfig;

// The proxy's config with every default applied (config.proto documents them).
struct ProxySettings {
  std::string node_name;
  std::string node_ip = "127.0.0.1";
  RulesetSettings ruleset;
  std::chrono::milliseconds min_sync_period{100};
  bool localhost_node_ports = true;
  std::string nft_path;
  std::string metrics_address = "127.0.0.1:10249";  // empty: none
};

// Throws std::invalid_argument naming the field when a value is unusable.
ProxySettings settings_from(const ProxyConfig& config);

// Why this machine cannot run the proxy (not root, no nft); empty when it can.
std::string why_proxy_cannot_run(const ProxySettings& settings);

}  // namespace ukube::proxy
