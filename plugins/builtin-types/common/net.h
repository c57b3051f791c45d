#pragma once

#include <string_view>

namespace ukube::builtin {

bool is_ipv4(std::string_view s);
bool is_ipv6(std::string_view s);
inline bool is_ip(std::string_view s) {
  return is_ipv4(s) || is_ipv6(s);
}

}  // namespace ukube::builtin
