#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ukube/machinery/export.h"

// IP networks as Go's net.ParseCIDR reads them and net.IPNet prints them: what node pod
// CIDRs (spec.podCIDR, spec.podCIDRs), a cluster's pod and service ranges and their
// validation share.
namespace ukube::machinery {

struct UKUBE_MACHINERY_API Cidr {
  bool ipv6 = false;
  std::array<uint8_t, 16> address{};  // the network address (host bits clear); IPv4 in the first 4 bytes
  int prefix = 0;                     // the prefix length, 0 to bits()

  int bits() const { return ipv6 ? 128 : 32; }
  // The bit `i` (0 the most significant) of the address.
  bool bit(int i) const { return (address[static_cast<size_t>(i / 8)] >> (7 - i % 8)) & 1; }
  void set_bit(int i, bool on);
  // Whether every address of `other` is one of this network's (same family).
  bool contains(const Cidr& other) const;
  // Whether the two networks share any address (same family): one contains the other.
  bool overlaps(const Cidr& other) const;
  // The last address of the network: every host bit set.
  Cidr last_address() const;
  // As net.IPNet.String(): 10.42.0.0/24, fd00:42::/64.
  std::string str() const;

  friend bool operator==(const Cidr&, const Cidr&) = default;
};

// "<IPv4 or IPv6 address>/<prefix length>" as net.ParseCIDR takes it; host bits may be set
// (10.42.1.7/24 is the network 10.42.1.0/24) and are cleared; leading zeros are refused, as
// Go 1.17+ refuses them. nullopt for anything else.
UKUBE_MACHINERY_API std::optional<Cidr> parse_cidr(std::string_view text);

// A comma-separated list as upstream's --cluster-cidr takes it: one CIDR, or a dual-stack
// pair of one IPv4 and one IPv6 CIDR (either order). Throws std::invalid_argument naming
// `what` and the bad value.
UKUBE_MACHINERY_API std::vector<Cidr> parse_cidr_list(std::string_view text, std::string_view what);

}  // namespace ukube::machinery
