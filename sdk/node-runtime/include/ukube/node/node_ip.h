#pragma once

#include <string>

// The node_ip setting of a runtime whose host-network sandboxes report the node's address.
namespace ukube::runtime::node {

// `configured`, or 127.0.0.1 when empty (a single-node cluster stays on loopback). Throws
// std::invalid_argument, naming `plugin`, when it is not an IPv4 or IPv6 address.
std::string checked_node_ip(const std::string& configured, const std::string& plugin);

}  // namespace ukube::runtime::node
