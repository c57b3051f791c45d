#include "ip_range.h"

namespace ukube::admission::service_allocator {

std::optional<ServiceIPRange> ServiceIPRange::of(const IPPrefix& prefix) {
  const bool v6 = prefix.family() == IPFamily::IPv6;
  if (v6 ? prefix.bits() < 64 || prefix.bits() > 127 : prefix.bits() > 30) return std::nullopt;
  return ServiceIPRange(prefix);
}

ServiceIPRange::ServiceIPRange(const IPPrefix& prefix)
    : prefix_(prefix), first_(*prefix.network().plus(1)), last_(prefix.last()) {
  // IPv4 keeps its broadcast address out; IPv6 has none, and allocates its last address.
  if (family() == IPFamily::IPv4) last_ = *prefix.network().plus(prefix.size() - 2);
  bands_.size = last_.distance_from(first_) + 1;
  bands_.band = static_band(prefix.size(), 16, 256, 16);
}

IPAddress ServiceIPRange::at(uint64_t index) const {
  return *first_.plus(index);
}

ServiceIPRange::Place ServiceIPRange::place(const IPAddress& ip) const {
  if (!prefix_.contains(ip)) return Place::Outside;
  return ip < first_ || last_ < ip ? Place::Reserved : Place::Allocatable;
}

}  // namespace ukube::admission::service_allocator
