#pragma once

#include <vector>

#include "ukube/controller/controller_plugin.h"
#include "ukube/machinery/cidr.h"

namespace ukube::controllers::nodeipam {

class NodeIpamConfig;

inline constexpr const char* kDefaultClusterCidr = "10.42.0.0/16";  // DESIGN.md §6's pod CIDR
inline constexpr const char* kDefaultServiceCidr = "10.43.0.0/16";  // and its service CIDR
inline constexpr int kDefaultNodeMaskIPv4 = 24;
inline constexpr int kDefaultNodeMaskIPv6 = 64;
// A node block's prefix may be this much longer than its cluster CIDR's: upstream's
// clusterSubnetMaxDiff for IPv6 (its bitmap is uncompressed); IPv4 gets 24 (a 2 MiB bitmap).
inline constexpr int kMaxMaskDiffIPv6 = 16;
inline constexpr int kMaxMaskDiffIPv4 = 24;

// One cluster CIDR and the prefix length of the blocks nodes get from it.
struct ClusterRange {
  machinery::Cidr cidr;
  int node_prefix = 0;
};

// The config with every default applied, so the rest of the plugin never looks at the
// Protobuf message.
struct Settings {
  controller::ControllerSettings controller{1, false};  // one worker: allocations are serialized
  std::vector<ClusterRange> ranges;                     // one, or a dual-stack pair in config order
  std::vector<machinery::Cidr> service_cidrs;
};

// The one place defaults live. Throws std::invalid_argument, naming the field, for a CIDR
// that does not parse, more than one CIDR of a family, a mask size that does not fit its
// cluster CIDR, and the mask-size combinations upstream refuses.
Settings defaults(const NodeIpamConfig& config);

}  // namespace ukube::controllers::nodeipam
