#include "ip_allocator.h"

#include <arpa/inet.h>

#include <optional>
#include <stdexcept>

namespace ukube::runtime::fake {
namespace {

std::optional<uint32_t> parse_ipv4(const std::string& text) {
  in_addr addr{};
  if (::inet_pton(AF_INET, text.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

std::string format_ipv4(uint32_t ip) {
  in_addr addr{};
  addr.s_addr = htonl(ip);
  char text[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, &addr, text, sizeof text);
  return text;
}

}  // namespace

IpAllocator::IpAllocator(const std::string& cidr) : cidr_(cidr) {
  const auto slash = cidr.find('/');
  auto base = slash == std::string::npos ? std::nullopt : parse_ipv4(cidr.substr(0, slash));
  int prefix = -1;
  if (base) {
    try {
      size_t used = 0;
      prefix = std::stoi(cidr.substr(slash + 1), &used);
      if (used != cidr.size() - slash - 1) prefix = -1;
    } catch (const std::exception&) {
      prefix = -1;
    }
  }
  if (!base || prefix < 8 || prefix > 30)
    throw std::invalid_argument(
        "pod_cidr \"" + cidr +
        "\" is not an IPv4 CIDR with a prefix length from 8 to 30 (e.g. 10.42.0.0/16)");
  const uint32_t mask = ~uint32_t{0} << (32 - prefix);
  first_ = (*base & mask) + 1;
  count_ = (uint32_t{1} << (32 - prefix)) - 2;
}

std::string IpAllocator::allocate() {
  std::lock_guard lock(mutex_);
  if (used_.size() >= count_)
    throw std::runtime_error("all " + std::to_string(count_) + " addresses of the fake runtime's pod_cidr " +
                             cidr_ + " are in use: give ukube.runtime.v1.fake a larger pod_cidr (e.g. " +
                             "10.64.0.0/12) to simulate more pods");
  while (used_.count(first_ + next_)) next_ = (next_ + 1) % count_;
  const uint32_t ip = first_ + next_;
  used_.insert(ip);
  next_ = (next_ + 1) % count_;
  return format_ipv4(ip);
}

void IpAllocator::release(const std::string& ip) {
  if (auto parsed = parse_ipv4(ip)) {
    std::lock_guard lock(mutex_);
    used_.erase(*parsed);
  }
}

size_t IpAllocator::in_use() const {
  std::lock_guard lock(mutex_);
  return used_.size();
}

}  // namespace ukube::runtime::fake
