#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ukube/machinery/export.h"

// IP addresses and CIDR prefixes as Kubernetes fields carry them (Service cluster IPs,
// ServiceCIDRs, node and pod addresses): parsed, compared, stepped through and printed in
// canonical form, for IPv4 and IPv6 alike.
namespace ukube::machinery {

enum class IPFamily { IPv4, IPv6 };
// "IPv4" / "IPv6": core/v1 IPFamily and discovery/v1 AddressType spell them alike.
UKUBE_MACHINERY_API std::string_view to_string(IPFamily family);
// IPv6 when the text has a colon: a cheap test for addresses already known to be valid.
UKUBE_MACHINERY_API IPFamily family_of(std::string_view ip);

class UKUBE_MACHINERY_API IPAddress {
 public:
  // An IPv4 dotted quad or an IPv6 address in any of its textual forms; nullopt otherwise
  // (IPv4 with leading zeros is refused, as upstream's parser does).
  static std::optional<IPAddress> parse(std::string_view text);

  IPFamily family() const { return v6_ ? IPFamily::IPv6 : IPFamily::IPv4; }
  // Canonical text: dotted quad, or IPv6 compressed as RFC 5952 has it.
  std::string to_string() const;
  // The address `n` further on; nullopt past the last address of the family.
  std::optional<IPAddress> plus(uint64_t n) const;
  // How far this address is past `base` (same family, not below it), capped at UINT64_MAX.
  uint64_t distance_from(const IPAddress& base) const;

  // Addresses of one family compare by value; IPv4 sorts before IPv6.
  auto operator<=>(const IPAddress&) const = default;

 private:
  bool v6_ = false;
  std::array<uint8_t, 16> bytes_{};  // IPv4 in the first four
  friend class IPPrefix;
};

// A CIDR block: its network address and prefix length.
class UKUBE_MACHINERY_API IPPrefix {
 public:
  // "10.43.0.0/16", "fd00::/108"; host bits may be set ("10.43.0.5/16" is 10.43.0.0/16),
  // as upstream's sloppy parser allows.
  static std::optional<IPPrefix> parse(std::string_view text);

  const IPAddress& network() const { return network_; }
  int bits() const { return bits_; }
  IPFamily family() const { return network_.family(); }
  // The last address of the block (IPv4's broadcast address).
  IPAddress last() const;
  // Addresses in the block, capped at UINT64_MAX.
  uint64_t size() const;
  bool contains(const IPAddress& ip) const;
  std::string to_string() const;  // canonical: "10.43.0.0/16"

  bool operator==(const IPPrefix&) const = default;

 private:
  IPAddress network_;
  int bits_ = 0;
};

// The address other machines reach this host at: the source address of its default route
// for `family`, or nullopt when it has none.
UKUBE_MACHINERY_API std::optional<IPAddress> default_route_address(IPFamily family);

}  // namespace ukube::machinery
