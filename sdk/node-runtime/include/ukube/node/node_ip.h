#pragma once

#include <string>

// Who this node is: the node_ip setting of a runtime whose host-network sandboxes report the
// node's address, and the default Node name.
namespace ukube::runtime::node {

// `configured`, or 127.0.0.1 when empty (a single-node cluster stays on loopback). Throws
// std::invalid_argument, naming `plugin`, when it is not an IPv4 or IPv6 address.
std::string checked_node_ip(const std::string& configured, const std::string& plugin);

// The machine's hostname, lower-cased: the Node name a kubelet registers by default, so
// the default of node-side plugins that act for "this node".
std::string default_node_name();

}  // namespace ukube::runtime::node
