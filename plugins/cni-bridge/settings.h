#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace ukube::cni_bridge {
class CniBridgeConfig;
}

namespace ukube::network::cni {

// The bridge driver's config with every default applied (config.proto documents them).
struct CniBridgeSettings {
  std::string bridge = "cni0";
  std::string network_name = "ukube";
  std::filesystem::path bin_dir = "/usr/lib/cni";
  uint32_t mtu = 0;  // 0: the plugins' default
  bool ip_masq = true;
  bool hairpin_mode = true;
  // Under the plugin's state folder: what add() answered per sandbox, host-local's leases,
  // and the generated conflist, for people to read.
  std::filesystem::path attachments_dir, ipam_dir, conflist_path;
  // Each attached sandbox's network namespace, bind-mounted here until its removal, so DEL
  // finds the namespace (and undoes the NAT rules of its address) even after the sandbox's
  // processes are gone, as containerd keeps its netns mounts.
  std::filesystem::path netns_dir;
};

// Throws std::invalid_argument naming the field when a value is unusable.
CniBridgeSettings settings_from(const cni_bridge::CniBridgeConfig& config,
                                const std::filesystem::path& state_dir);

// Why this machine cannot attach pods with these settings (not root, a CNI plugin or
// iptables missing); empty when it can.
std::string why_cni_cannot_run(const CniBridgeSettings& settings);

}  // namespace ukube::network::cni
