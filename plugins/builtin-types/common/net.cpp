#include "common/net.h"

#include <arpa/inet.h>

#include <string>

namespace ukube::builtin {

bool is_ipv4(std::string_view s) {
  unsigned char buf[sizeof(in_addr)];
  return inet_pton(AF_INET, std::string(s).c_str(), buf) == 1;
}

bool is_ipv6(std::string_view s) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET6, std::string(s).c_str(), buf) == 1;
}

}  // namespace ukube::builtin
