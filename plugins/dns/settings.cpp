#include "settings.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "dns/config.pb.h"

namespace ukube::dns {
namespace {

constexpr uint16_t kDnsPort = 53;
constexpr uint32_t kMaxTtl = 3600;  // CoreDNS caps its kubernetes plugin's ttl there

std::string in_quotes(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

std::vector<boost::asio::ip::udp::endpoint> endpoints(
    const google::protobuf::RepeatedPtrField<std::string>& list, const char* field, const char* example) {
  std::vector<boost::asio::ip::udp::endpoint> out;
  for (const auto& text : list) {
    auto ep = parse_endpoint(text, kDnsPort);
    if (!ep)
      throw std::invalid_argument(std::string("dns: ") + field + ": " + in_quotes(text) +
                                  " is not an IP address with an optional port; write it as " + example);
    out.push_back(*ep);
  }
  return out;
}

}  // namespace

std::optional<boost::asio::ip::udp::endpoint> parse_endpoint(std::string_view text, uint16_t default_port) {
  std::string_view host = text, port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    host = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  }
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return std::nullopt;
  unsigned value = default_port;
  if (!port.empty() || text.back() == ':') {
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit))
      return std::nullopt;
    value = static_cast<unsigned>(std::stoul(std::string(port)));
    if (value > 65535) return std::nullopt;
  }
  return boost::asio::ip::udp::endpoint(address, static_cast<uint16_t>(value));
}

std::vector<boost::asio::ip::udp::endpoint> resolv_conf_nameservers(std::string_view text) {
  std::vector<boost::asio::ip::udp::endpoint> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, value;
    if (!(words >> key >> value) || key != "nameserver") continue;
    value = value.substr(0, value.find('%'));  // a link-local address's zone is not ours to use
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(value, ec);
    if (!ec) out.emplace_back(address, kDnsPort);
  }
  return out;
}

DnsSettings settings_from(const DnsConfig& config) {
  DnsSettings s;
  ServerOptions& server = s.server;
  server.listen =
      config.listen().empty()
          ? std::vector<boost::asio::ip::udp::endpoint>{*parse_endpoint("127.0.0.1:10053", kDnsPort)}
          : endpoints(config.listen(), "listen", "127.0.0.1:10053 or [::1]:10053");
  if (!config.cluster_domain().empty()) {
    std::string domain = config.cluster_domain();
    if (domain.back() == '.') domain.pop_back();
    std::transform(domain.begin(), domain.end(), domain.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (domain.empty() || !Name::from_text(domain))
      throw std::invalid_argument("dns: cluster_domain: " + in_quotes(config.cluster_domain()) +
                                  " is not a domain name; write it as cluster.local");
    s.cluster_domain = domain;
  }
  if (!config.upstream().empty()) {
    server.upstreams = endpoints(config.upstream(), "upstream", "192.0.2.53 or 192.0.2.53:53");
  } else {
    const std::string path = config.resolv_conf().empty() ? "/etc/resolv.conf" : config.resolv_conf();
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    server.upstreams = resolv_conf_nameservers(text.str());
  }
  for (const auto& up : server.upstreams)
    for (const auto& own : server.listen)
      if (up == own)
        throw std::invalid_argument("dns: upstream " + up.address().to_string() + ":" +
                                    std::to_string(up.port()) +
                                    " is this server's own listen address: it would forward to itself; "
                                    "set upstream to another resolver");
  if (config.has_cache_seconds()) server.cache_seconds = config.cache_seconds();
  if (config.has_ttl()) {
    if (config.ttl() > kMaxTtl)
      throw std::invalid_argument("dns: ttl: " + std::to_string(config.ttl()) + " is above " +
                                  std::to_string(kMaxTtl) + "; use 0 to 3600 seconds");
    s.ttl = config.ttl();
  }
  const std::string& pods = config.pods();
  if (pods.empty() || pods == "insecure")
    s.pods = PodMode::insecure;
  else if (pods == "disabled")
    s.pods = PodMode::disabled;
  else if (pods == "verified")
    s.pods = PodMode::verified;
  else
    throw std::invalid_argument("dns: pods: " + in_quotes(pods) +
                                " is not a pod mode; use disabled, insecure or verified");
  if (config.upstream_timeout_ms() > 0)
    server.upstream_timeout = std::chrono::milliseconds(config.upstream_timeout_ms());
  if (config.tcp_idle_timeout_seconds() > 0)
    server.tcp_idle = std::chrono::seconds(config.tcp_idle_timeout_seconds());
  if (config.service_ip() == "none")
    s.service_ip.clear();
  else if (!config.service_ip().empty())
    s.service_ip = config.service_ip();
  if (!s.service_ip.empty()) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(s.service_ip, ec);
    if (ec)
      throw std::invalid_argument(
          "dns config: service_ip: \"" + s.service_ip +
          "\" is not an IP address; give the kube-dns Service's cluster IP or \"none\"");
  }
  return s;
}

}  // namespace ukube::dns
