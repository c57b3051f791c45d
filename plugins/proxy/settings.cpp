#include "settings.h"

#include <boost/asio/ip/network_v4.hpp>
#include <stdexcept>

#include "proxy/config.pb.h"
#include "ukube/node/nft.h"
#include "ukube/node/node_ip.h"

namespace ukube::proxy {

namespace {

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
  s.node_name = config.node_name().empty() ? runtime::node::default_node_name() : config.node_name();
  if (!config.node_ip().empty()) s.node_ip = config.node_ip();
  boost::system::error_code ec;
  boost::asio::ip::make_address_v4(s.node_ip, ec);
  if (ec) throw std::invalid_argument("proxy config: node_ip: \"" + s.node_ip + "\" is not an IPv4 address");
  s.ruleset.cluster_cidr =
      checked_cidr(config.cluster_cidr().empty() ? "10.42.0.0/16" : config.cluster_cidr(), "cluster_cidr");
  s.ruleset.service_cidr =
      checked_cidr(config.service_cidr().empty() ? "10.43.0.0/16" : config.service_cidr(), "service_cidr");
  if (!config.table().empty()) s.ruleset.table = config.table();
  runtime::node::check_nft_table_name(s.ruleset.table, "proxy config: table");
  if (config.min_sync_period_ms() > 0)
    s.min_sync_period = std::chrono::milliseconds(config.min_sync_period_ms());
  if (config.has_localhost_node_ports()) s.localhost_node_ports = config.localhost_node_ports();
  s.nft_path = runtime::node::nft_path_or_default(config.nft_path());
  if (config.metrics_address() == "none")
    s.metrics_address.clear();
  else if (!config.metrics_address().empty())
    s.metrics_address = config.metrics_address();
  return s;
}

std::string why_proxy_cannot_run(const ProxySettings& settings) {
  return runtime::node::why_nft_unusable(settings.nft_path, "the proxy");
}

}  // namespace ukube::proxy
