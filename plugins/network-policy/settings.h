#pragma once

#include <chrono>
#include <string>

namespace ukube::network_policy {

class NetworkPolicyConfig;

// The plugin's config with every default applied (config.proto documents them).
struct Settings {
  std::string node_name;
  std::string table = "ukube-netpol";
  std::chrono::milliseconds min_sync_period{100};
  std::string nft_path;
};

// Throws std::invalid_argument naming the field when a value is unusable.
Settings settings_from(const NetworkPolicyConfig& config);

}  // namespace ukube::network_policy
