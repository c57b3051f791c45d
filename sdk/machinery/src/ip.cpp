#include "ukube/machinery/ip.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <limits>

namespace ukube::machinery {

std::string_view to_string(IPFamily family) {
  return family == IPFamily::IPv6 ? "IPv6" : "IPv4";
}

IPFamily family_of(std::string_view ip) {
  return ip.find(':') != std::string_view::npos ? IPFamily::IPv6 : IPFamily::IPv4;
}

namespace {

size_t width(bool v6) {
  return v6 ? 16 : 4;
}

}  // namespace

std::optional<IPAddress> IPAddress::parse(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string copy(text);
  IPAddress ip;
  // glibc's inet_pton takes exactly the dotted quad (no leading zeros, no shorthand).
  if (inet_pton(AF_INET, copy.c_str(), ip.bytes_.data()) == 1) return ip;
  ip.v6_ = true;
  if (inet_pton(AF_INET6, copy.c_str(), ip.bytes_.data()) == 1) return ip;
  return std::nullopt;
}

std::string IPAddress::to_string() const {
  char out[INET6_ADDRSTRLEN];
  if (!inet_ntop(v6_ ? AF_INET6 : AF_INET, bytes_.data(), out, sizeof out)) return {};
  return out;
}

std::optional<IPAddress> IPAddress::plus(uint64_t n) const {
  IPAddress out = *this;
  uint64_t carry = n;
  for (size_t i = width(v6_); i-- > 0 && carry;) {
    const uint64_t sum = out.bytes_[i] + (carry & 0xff);
    out.bytes_[i] = static_cast<uint8_t>(sum);
    carry = (carry >> 8) + (sum >> 8);
  }
  if (carry) return std::nullopt;
  return out;
}

uint64_t IPAddress::distance_from(const IPAddress& base) const {
  if (v6_ != base.v6_ || *this < base) return 0;
  // Byte-wise subtraction, then the difference read big-endian; anything past the low
  // eight bytes does not fit a uint64.
  std::array<uint8_t, 16> diff{};
  int borrow = 0;
  for (size_t i = width(v6_); i-- > 0;) {
    int d = int(bytes_[i]) - int(base.bytes_[i]) - borrow;
    borrow = d < 0;
    diff[i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
  }
  const size_t n = width(v6_);
  uint64_t out = 0;
  for (size_t i = 0; i < n; ++i) {
    if (n - i > 8 && diff[i]) return std::numeric_limits<uint64_t>::max();
    if (n - i <= 8) out = (out << 8) | diff[i];
  }
  return out;
}

std::optional<IPPrefix> IPPrefix::parse(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = IPAddress::parse(text.substr(0, slash));
  const std::string_view digits = text.substr(slash + 1);
  int bits = -1;
  if (!address || digits.empty() || digits.size() > 3) return std::nullopt;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (bits < 0 || static_cast<size_t>(bits) > width(address->v6_) * 8) return std::nullopt;
  IPPrefix prefix;
  prefix.bits_ = bits;
  prefix.network_ = *address;
  for (size_t i = 0; i < width(address->v6_); ++i) {
    const int kept = std::clamp(bits - static_cast<int>(i) * 8, 0, 8);
    prefix.network_.bytes_[i] &= static_cast<uint8_t>(0xff00 >> kept);
  }
  return prefix;
}

IPAddress IPPrefix::last() const {
  IPAddress out = network_;
  for (size_t i = 0; i < width(network_.v6_); ++i) {
    const int kept = std::clamp(bits_ - static_cast<int>(i) * 8, 0, 8);
    out.bytes_[i] |= static_cast<uint8_t>(0xff >> kept);
  }
  return out;
}

uint64_t IPPrefix::size() const {
  const int host_bits = static_cast<int>(width(network_.v6_) * 8) - bits_;
  if (host_bits >= 64) return std::numeric_limits<uint64_t>::max();
  return uint64_t{1} << host_bits;
}

bool IPPrefix::contains(const IPAddress& ip) const {
  return ip.family() == family() && network_ <= ip && ip <= last();
}

std::string IPPrefix::to_string() const {
  return network_.to_string() + "/" + std::to_string(bits_);
}

std::optional<IPAddress> default_route_address(IPFamily family) {
  // Connecting a UDP socket sends nothing; it only makes the kernel choose the route,
  // and with it the source address, that traffic to the outside would take.
  const bool v6 = family == IPFamily::IPv6;
  const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_storage remote{};
  socklen_t length = 0;
  if (v6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&remote);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(53);
    inet_pton(AF_INET6, "2001:4860:4860::8888", &in6->sin6_addr);
    length = sizeof(sockaddr_in6);
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&remote);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(53);
    inet_pton(AF_INET, "8.8.8.8", &in4->sin_addr);
    length = sizeof(sockaddr_in);
  }
  std::optional<IPAddress> found;
  sockaddr_storage local{};
  socklen_t local_length = sizeof local;
  if (connect(fd, reinterpret_cast<sockaddr*>(&remote), length) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) == 0) {
    char text[INET6_ADDRSTRLEN];
    const void* raw = v6 ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&local)->sin6_addr)
                         : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&local)->sin_addr);
    if (inet_ntop(v6 ? AF_INET6 : AF_INET, raw, text, sizeof text)) found = IPAddress::parse(text);
  }
  close(fd);
  return found;
}

}  // namespace ukube::machinery
