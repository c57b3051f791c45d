#include "node_ports.h"

#include <algorithm>
#include <charconv>

#include "allocation_error.h"

namespace ukube::admission::service_allocator {

namespace {

std::optional<int> parse_port(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535)
    return std::nullopt;
  return value;
}

}  // namespace

std::optional<PortRange> PortRange::parse(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = parse_port(text.substr(0, dash));
  auto last = parse_port(text.substr(dash + 1));
  if (!first || !last || *first > *last) return std::nullopt;
  return PortRange{*first, *last - *first + 1};
}

std::string PortRange::to_string() const {
  return std::to_string(base) + "-" + std::to_string(base + size - 1);
}

NodePortAllocator::NodePortAllocator(PortRange range, Holders holders, std::chrono::seconds hold_for,
                                     std::function<Clock::time_point()> now)
    : range_(range),
      holders_(std::move(holders)),
      hold_for_(hold_for),
      now_(std::move(now)),
      random_(std::random_device{}()) {
  bands_.size = static_cast<uint64_t>(range_.size);
  bands_.band = static_band(bands_.size, 16, 128, 32);
}

bool NodePortAllocator::free_for(int port, const std::string& service, Clock::time_point now,
                                 bool own_counts) const {
  auto reserved = reservations_.find(port);
  if (reserved != reservations_.end() && reserved->second.until > now &&
      (!own_counts || reserved->second.claim.service != service))
    return false;
  for (const auto& holder : holders_(port))
    if (!own_counts || holder != service) return false;
  return true;
}

void NodePortAllocator::reserve(int port, const PortClaim& claim, Clock::time_point now) {
  reservations_[port] = Reservation{claim, now + hold_for_};
}

void NodePortAllocator::allocate(int port, const PortClaim& claim, bool dry_run) {
  if (!range_.contains(port))
    throw AllocationError(
        AllocationError::Kind::NotInRange,
        "provided port is not in the valid range. The range of valid ports is " + range_.to_string());
  std::lock_guard lock(mutex_);
  const auto now = now_();
  if (!free_for(port, claim.service, now, true))
    throw AllocationError(AllocationError::Kind::Allocated, "provided port is already allocated");
  if (!dry_run) reserve(port, claim, now);
}

int NodePortAllocator::allocate_next(const PortClaim& claim, bool dry_run) {
  std::lock_guard lock(mutex_);
  const auto now = now_();
  // Expired reservations go now, so the map stays as small as the requests in flight.
  std::erase_if(reservations_, [&](const auto& r) { return r.second.until <= now; });
  auto picked = bands_.pick(random_, [&](uint64_t offset) {
    return free_for(range_.base + static_cast<int>(offset), claim.service, now, false);
  });
  if (!picked) throw AllocationError(AllocationError::Kind::Full, "range is full");
  const int port = range_.base + static_cast<int>(*picked);
  if (!dry_run) reserve(port, claim, now);
  return port;
}

void NodePortAllocator::release(int port, const PortClaim& claim) {
  std::lock_guard lock(mutex_);
  auto reserved = reservations_.find(port);
  if (reserved != reservations_.end() && reserved->second.claim.service == claim.service &&
      reserved->second.claim.uid == claim.uid)
    reservations_.erase(reserved);
}

void NodePortAllocator::settle(const std::string& service, const std::string& uid, int64_t revision,
                               const std::vector<int>& ports) {
  std::lock_guard lock(mutex_);
  for (int port : ports) {
    auto reserved = reservations_.find(port);
    if (reserved == reservations_.end()) continue;
    const PortClaim& claim = reserved->second.claim;
    if (claim.service == service && claim.uid == uid && claim.base_revision < revision)
      reservations_.erase(reserved);
  }
}

}  // namespace ukube::admission::service_allocator
