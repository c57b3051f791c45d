#include "settings.h"

#include <unistd.h>

#include <stdexcept>

#include "cni-bridge/config.pb.h"
#include "ukube/node/spawn.h"

namespace ukube::network::cni {

namespace {

// Linux interface names: at most 15 bytes, no '/', no whitespace.
bool valid_interface_name(const std::string& name) {
  if (name.empty() || name.size() > 15) return false;
  for (char c : name)
    if (c == '/' || c == ':' || c <= ' ') return false;
  return true;
}

}  // namespace

CniBridgeSettings settings_from(const cni_bridge::CniBridgeConfig& config,
                                const std::filesystem::path& state_dir) {
  CniBridgeSettings s;
  if (!config.bridge().empty()) s.bridge = config.bridge();
  if (!valid_interface_name(s.bridge))
    throw std::invalid_argument(
        "cni-bridge config: bridge: \"" + s.bridge +
        "\" is not a Linux interface name (1 to 15 characters, no '/', ':' or spaces)");
  if (!config.network_name().empty()) s.network_name = config.network_name();
  for (char c : s.network_name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      throw std::invalid_argument("cni-bridge config: network_name: \"" + s.network_name +
                                  "\" may hold only letters, digits, '-', '_' and '.'");
  if (!config.bin_dir().empty()) s.bin_dir = config.bin_dir();
  s.mtu = config.mtu();
  if (s.mtu != 0 && (s.mtu < 576 || s.mtu > 65535))
    throw std::invalid_argument("cni-bridge config: mtu: " + std::to_string(s.mtu) +
                                " is outside 576-65535; leave it unset for 1500");
  if (config.has_ip_masq()) s.ip_masq = config.ip_masq();
  if (config.has_hairpin_mode()) s.hairpin_mode = config.hairpin_mode();
  s.attachments_dir = state_dir / "attachments";
  s.ipam_dir = state_dir / "ipam";
  s.netns_dir = state_dir / "netns";
  s.conflist_path = state_dir / ("10-" + s.network_name + ".conflist");
  return s;
}

std::string why_cni_cannot_run(const CniBridgeSettings& settings) {
  if (::geteuid() != 0) return "cni-bridge needs root to create links and network namespaces' interfaces";
  for (const char* plugin : {"bridge", "host-local", "loopback", "portmap"})
    if (::access((settings.bin_dir / plugin).c_str(), X_OK) != 0)
      return "cni-bridge needs the CNI plugin " + (settings.bin_dir / plugin).string() +
             ", which is missing; install Debian's containernetworking-plugins (apt-get install "
             "containernetworking-plugins) or set bin_dir";
  if (!runtime::node::find_executable("iptables", "/usr/sbin:/usr/bin:/sbin:/bin"))
    return "cni-bridge needs iptables (the bridge and portmap CNI plugins run it); apt-get install iptables";
  return "";
}

}  // namespace ukube::network::cni
