#include "settings.h"

#include <unistd.h>

#include <boost/asio/ip/network_v4.hpp>
#include <cctype>
#include <stdexcept>

#include "proxy/config.pb.h"
#include "ukube/node/spawn.h"

namespace ukube::proxy {

namespace {

std::string hostname_as_node_name() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  std::string out = name;
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string checked_cidr(const std::string& value, const char* field) {
  boost::system::error_code ec;
  auto network = boost::asio::ip::make_network_v4(value, ec);
  if (ec || network.network() != network.address())
    throw std::invalid_argument(std::string("proxy config: ") + field + ": \"" + value +
                                "\" is not an IPv4 CIDR of a network (such as 10.43.0.0/16)");
  return value;
}

}  // namespace

ProxySettings settings_from(const ProxyConfig& config) {
  ProxySettings s;
  s.node_name = config.node_name().empty() ? hostname_as_node_name() : config.node_name();
  if (!config.node_ip().empty()) s.node_ip = config.node_ip();
  boost::system::error_code ec;
  boost::asio::ip::make_address_v4(s.node_ip, ec);
  if (ec) throw std::invalid_argument("proxy config: node_ip: \"" + s.node_ip + "\" is not an IPv4 address");
  s.ruleset.cluster_cidr =
      checked_cidr(config.cluster_cidr().empty() ? "10.42.0.0/16" : config.cluster_cidr(), "cluster_cidr");
  s.ruleset.service_cidr =
      checked_cidr(config.service_cidr().empty() ? "10.43.0.0/16" : config.service_cidr(), "service_cidr");
  if (!config.table().empty()) s.ruleset.table = config.table();
  for (char c : s.ruleset.table)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
      throw std::invalid_argument("proxy config: table: \"" + s.ruleset.table +
                                  "\" may hold only letters, digits, '-' and '_'");
  if (config.min_sync_period_ms() > 0)
    s.min_sync_period = std::chrono::milliseconds(config.min_sync_period_ms());
  if (config.has_localhost_node_ports()) s.localhost_node_ports = config.localhost_node_ports();
  s.nft_path = config.nft_path();
  if (s.nft_path.empty())
    s.nft_path = runtime::node::find_executable("nft", "/usr/sbin:/usr/bin:/sbin:/bin").value_or("");
  return s;
}

std::string why_proxy_cannot_run(const ProxySettings& settings) {
  if (::geteuid() != 0) return "the proxy needs root to program nftables";
  if (settings.nft_path.empty() || ::access(settings.nft_path.c_str(), X_OK) != 0)
    return "the proxy needs nft (apt-get install nftables)";
  return "";
}

}  // namespace ukube::proxy
