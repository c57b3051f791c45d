#include "settings.h"

#include <stdexcept>
#include <string>

#include "admission/service-allocator/config.pb.h"

namespace ukube::admission::service_allocator {

namespace {

constexpr const char* kPlugin = "service-allocator config: ";

machinery::IPPrefix checked_cidr(const std::string& text) {
  auto prefix = machinery::IPPrefix::parse(text);
  if (!prefix)
    throw std::invalid_argument(std::string(kPlugin) + "service_cidr: \"" + text +
                                "\" is not a CIDR; write e.g. 10.43.0.0/16 or 10.43.0.0/16,fd00:43::/112");
  // IPv4 from /12 (upstream's largest) to /30 (two addresses); IPv6 from /64 to /126.
  const bool v6 = prefix->family() == machinery::IPFamily::IPv6;
  const int shortest = v6 ? 64 : 12, longest = v6 ? 126 : 30;
  if (prefix->bits() < shortest || prefix->bits() > longest)
    throw std::invalid_argument(std::string(kPlugin) + "service_cidr: " + text + " has a /" +
                                std::to_string(prefix->bits()) + " prefix; " + (v6 ? "IPv6" : "IPv4") +
                                " Service ranges take /" + std::to_string(shortest) + " to /" +
                                std::to_string(longest));
  return *prefix;
}

std::vector<machinery::IPPrefix> checked_cidrs(const std::string& text) {
  std::vector<machinery::IPPrefix> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    out.push_back(
        checked_cidr(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.size() > 2 || (out.size() == 2 && out[0].family() == out[1].family()))
    throw std::invalid_argument(
        std::string(kPlugin) + "service_cidr: \"" + text +
        "\" names more than one range of a family; give one CIDR, or one IPv4 and one "
        "IPv6 CIDR");
  return out;
}

std::chrono::seconds seconds_or(uint32_t value, std::chrono::seconds fallback) {
  return value > 0 ? std::chrono::seconds(value) : fallback;
}

}  // namespace

Settings defaults(const ServiceAllocatorConfig& config) {
  Settings s;
  s.service_cidrs = checked_cidrs(config.service_cidr().empty() ? "10.43.0.0/16" : config.service_cidr());
  if (!config.node_port_range().empty()) {
    auto range = PortRange::parse(config.node_port_range());
    if (!range)
      throw std::invalid_argument(std::string(kPlugin) + "node_port_range: \"" + config.node_port_range() +
                                  "\" is not a port range; write first-last, e.g. 30000-32767");
    s.node_ports = *range;
  }
  if (!config.advertise_address().empty()) {
    s.advertise_address = machinery::IPAddress::parse(config.advertise_address());
    if (!s.advertise_address)
      throw std::invalid_argument(std::string(kPlugin) + "advertise_address: \"" +
                                  config.advertise_address() +
                                  "\" is not an IP address; write the address pods reach the API server at");
  }
  s.ip_grace = seconds_or(config.ip_grace_seconds(), s.ip_grace);
  s.repair_interval = seconds_or(config.repair_interval_seconds(), s.repair_interval);
  s.kubernetes_service_interval =
      seconds_or(config.kubernetes_service_interval_seconds(), s.kubernetes_service_interval);
  return s;
}

}  // namespace ukube::admission::service_allocator
