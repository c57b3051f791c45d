#include "settings.h"

#include <stdexcept>
#include <string>

#include "controllers/nodeipam/config.pb.h"

namespace ukube::controllers::nodeipam {
namespace {

// upstream's setNodeCIDRMaskSizes: which mask size each cluster CIDR's blocks get.
std::vector<int> mask_sizes(const NodeIpamConfig& config, const std::vector<machinery::Cidr>& cidrs) {
  const bool dual_stack = cidrs.size() > 1;
  const int v4 = config.node_cidr_mask_size_ipv4(), v6 = config.node_cidr_mask_size_ipv6();
  int ipv4 = v4 ? v4 : kDefaultNodeMaskIPv4, ipv6 = v6 ? v6 : kDefaultNodeMaskIPv6;
  if (dual_stack && config.node_cidr_mask_size())
    throw std::invalid_argument(
        "node_cidr_mask_size is not allowed with a dual-stack cluster_cidr: set node_cidr_mask_size_ipv4 and "
        "node_cidr_mask_size_ipv6 instead");
  if (!dual_stack) {
    if (config.node_cidr_mask_size() && (v4 || v6))
      throw std::invalid_argument(
          "node_cidr_mask_size_ipv4 and node_cidr_mask_size_ipv6 are not allowed with node_cidr_mask_size: "
          "set one or the other");
    if (v4 && cidrs[0].ipv6)
      throw std::invalid_argument(
          "node_cidr_mask_size_ipv4 is not allowed with a single-stack IPv6 cluster_cidr");
    if (v6 && !cidrs[0].ipv6)
      throw std::invalid_argument(
          "node_cidr_mask_size_ipv6 is not allowed with a single-stack IPv4 cluster_cidr");
    if (config.node_cidr_mask_size()) ipv4 = ipv6 = static_cast<int>(config.node_cidr_mask_size());
  }
  std::vector<int> out;
  for (const auto& cidr : cidrs) out.push_back(cidr.ipv6 ? ipv6 : ipv4);
  return out;
}

}  // namespace

Settings defaults(const NodeIpamConfig& config) {
  Settings s;
  s.controller.leader_elect = config.leader_elect();
  const std::string cluster = config.cluster_cidr().empty() ? kDefaultClusterCidr : config.cluster_cidr();
  const auto cidrs = machinery::parse_cidr_list(cluster, "cluster_cidr");
  const auto masks = mask_sizes(config, cidrs);
  for (size_t i = 0; i < cidrs.size(); ++i) {
    const auto& cidr = cidrs[i];
    const int mask = masks[i], most = cidr.ipv6 ? kMaxMaskDiffIPv6 : kMaxMaskDiffIPv4;
    const std::string which =
        "the node mask size " + std::to_string(mask) + " for cluster_cidr " + cidr.str();
    if (mask > cidr.bits())
      throw std::invalid_argument(which + " is longer than an address (" + std::to_string(cidr.bits()) +
                                  " bits)");
    if (mask < cidr.prefix)
      throw std::invalid_argument(
          which + " is shorter than the cluster CIDR's prefix: a node's block must fit in it");
    if (mask - cidr.prefix > most)
      throw std::invalid_argument(which + " makes more than 2^" + std::to_string(most) +
                                  " node blocks: use a longer cluster CIDR prefix or a shorter node mask");
    s.ranges.push_back({cidr, mask});
  }
  const std::string services = config.service_cidr().empty() ? kDefaultServiceCidr : config.service_cidr();
  s.service_cidrs = machinery::parse_cidr_list(services, "service_cidr");
  return s;
}

}  // namespace ukube::controllers::nodeipam
