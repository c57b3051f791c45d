#include "ukube/machinery/cidr.h"

#include <arpa/inet.h>

#include <stdexcept>

namespace ukube::machinery {

void Cidr::set_bit(int i, bool on) {
  const auto mask = static_cast<uint8_t>(1u << (7 - i % 8));
  auto& byte = address[static_cast<size_t>(i / 8)];
  byte = on ? static_cast<uint8_t>(byte | mask) : static_cast<uint8_t>(byte & ~mask);
}

bool Cidr::contains(const Cidr& other) const {
  if (ipv6 != other.ipv6 || other.prefix < prefix) return false;
  for (int i = 0; i < prefix; ++i)
    if (bit(i) != other.bit(i)) return false;
  return true;
}

bool Cidr::overlaps(const Cidr& other) const {
  return contains(other) || other.contains(*this);
}

Cidr Cidr::last_address() const {
  Cidr last = *this;
  for (int i = prefix; i < bits(); ++i) last.set_bit(i, true);
  last.prefix = bits();
  return last;
}

std::string Cidr::str() const {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(ipv6 ? AF_INET6 : AF_INET, address.data(), text, sizeof text);
  return std::string(text) + "/" + std::to_string(prefix);
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view length = text.substr(slash + 1);
  if (length.empty() || length.size() > 3) return std::nullopt;
  int prefix = 0;
  for (char c : length) {
    if (c < '0' || c > '9') return std::nullopt;
    prefix = prefix * 10 + (c - '0');
  }
  Cidr cidr;
  const std::string ip(text.substr(0, slash));
  if (::inet_pton(AF_INET, ip.c_str(), cidr.address.data()) != 1) {
    if (::inet_pton(AF_INET6, ip.c_str(), cidr.address.data()) != 1) return std::nullopt;
    cidr.ipv6 = true;
  }
  if (prefix > cidr.bits()) return std::nullopt;
  cidr.prefix = prefix;
  for (int i = prefix; i < cidr.bits(); ++i) cidr.set_bit(i, false);
  return cidr;
}

std::vector<Cidr> parse_cidr_list(std::string_view text, std::string_view what) {
  std::vector<Cidr> out;
  const std::string quoted = "\"" + std::string(text) + "\"";
  for (size_t start = 0; start <= text.size();) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    auto cidr = parse_cidr(item);
    if (!cidr)
      throw std::invalid_argument(std::string(what) + ": \"" + std::string(item) + "\" in " + quoted +
                                  " is not a CIDR (e.g. 10.42.0.0/16 or 10.42.0.0/16,fd00:42::/56)");
    out.push_back(*cidr);
    start = comma + 1;
  }
  if (out.size() > 2 || (out.size() == 2 && out[0].ipv6 == out[1].ipv6))
    throw std::invalid_argument(std::string(what) + ": " + quoted +
                                " must be one CIDR, or one IPv4 and one IPv6 CIDR for dual-stack");
  return out;
}

}  // namespace ukube::machinery
