#pragma once

#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster_answers.h"

namespace ukube::dns {

class DnsConfig;

// What the server is given (DnsServer): where it listens, whom it asks, how long it keeps.
struct ServerOptions {
  std::vector<boost::asio::ip::udp::endpoint> listen;  // port 0: any free port (the same for UDP and TCP)
  std::vector<boost::asio::ip::udp::endpoint> upstreams;
  std::chrono::milliseconds upstream_timeout{2000};
  uint32_t cache_seconds = 30;
  size_t cache_capacity = 10000;  // CoreDNS's cache holds 10,000 answers
  std::chrono::milliseconds tcp_idle{10000};
  size_t max_tcp_connections = 1024;
};

// The DNS plugin's config with every default applied (config.proto documents them).
struct DnsSettings {
  ServerOptions server;
  std::string cluster_domain = "cluster.local";
  uint32_t ttl = 5;
  PodMode pods = PodMode::insecure;
  std::string service_ip = "10.43.0.10";  // empty: not published
};

// Applies the defaults and checks the values; throws std::invalid_argument naming the field
// and what to write instead.
DnsSettings settings_from(const DnsConfig& config);

// host, host:port, [v6] or [v6]:port with an IP address for host.
std::optional<boost::asio::ip::udp::endpoint> parse_endpoint(std::string_view text, uint16_t default_port);
// The nameserver addresses of resolv.conf text (port 53).
std::vector<boost::asio::ip::udp::endpoint> resolv_conf_nameservers(std::string_view text);

}  // namespace ukube::dns
