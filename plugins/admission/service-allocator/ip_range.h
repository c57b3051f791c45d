#pragma once

#include <cstdint>
#include <optional>

#include "banded_range.h"
#include "ukube/machinery/ip.h"

// One Service CIDR as upstream's IP allocator uses it: every address but the network
// address (and IPv4's broadcast address) may be allocated; the lowest ones (16 to 256,
// by size) are left for Services that ask for an address.
namespace ukube::admission::service_allocator {

using machinery::IPAddress;
using machinery::IPFamily;
using machinery::IPPrefix;

class ServiceIPRange {
 public:
  // nullopt for a prefix no Service address can come from: an IPv4 /31 or /32, an IPv6
  // /128, or an IPv6 prefix shorter than /64 (upstream refuses those too).
  static std::optional<ServiceIPRange> of(const IPPrefix& prefix);

  const IPPrefix& prefix() const { return prefix_; }
  IPFamily family() const { return prefix_.family(); }
  // The first address that may be allocated: the kubernetes Service's.
  const IPAddress& first() const { return first_; }
  const BandedRange& bands() const { return bands_; }
  // The allocatable address `index` places after first(); index < bands().size.
  IPAddress at(uint64_t index) const;

  enum class Place { Allocatable, Reserved, Outside };
  // Reserved: inside the prefix, but its network or broadcast address.
  Place place(const IPAddress& ip) const;

 private:
  explicit ServiceIPRange(const IPPrefix& prefix);
  IPPrefix prefix_;
  IPAddress first_, last_;
  BandedRange bands_;
};

}  // namespace ukube::admission::service_allocator
