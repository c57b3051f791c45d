#include "ukube/node/node_ip.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <cctype>

#include <stdexcept>

namespace ukube::runtime::node {

std::string checked_node_ip(const std::string& configured, const std::string& plugin) {
  if (configured.empty()) return "127.0.0.1";
  unsigned char buffer[sizeof(in6_addr)];
  if (::inet_pton(AF_INET, configured.c_str(), buffer) != 1 &&
      ::inet_pton(AF_INET6, configured.c_str(), buffer) != 1)
    throw std::invalid_argument(plugin + ": node_ip \"" + configured +
                                "\" is not an IP address; write e.g. 127.0.0.1 or the node's address");
  return configured;
}

std::string default_node_name() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  std::string out = name;
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace ukube::runtime::node
