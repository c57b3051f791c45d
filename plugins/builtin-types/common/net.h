#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ukube/machinery/ip.h"

// Address checks of the validators, on sdk/machinery's one IP parser.
namespace ukube::builtin {

// core/v1 Protocol, as upstream lists the supported values.
inline const std::vector<std::string> kProtocols{"SCTP", "TCP", "UDP"};

inline bool is_ipv4(std::string_view s) {
  auto ip = machinery::IPAddress::parse(s);
  return ip && ip->family() == machinery::IPFamily::IPv4;
}
inline bool is_ipv6(std::string_view s) {
  auto ip = machinery::IPAddress::parse(s);
  return ip && ip->family() == machinery::IPFamily::IPv6;
}
inline bool is_ip(std::string_view s) {
  return machinery::IPAddress::parse(s).has_value();
}

}  // namespace ukube::builtin
