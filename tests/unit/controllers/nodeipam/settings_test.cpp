// The config's defaults and the combinations upstream's controller manager refuses.
#include "settings.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "controllers/nodeipam/config.pb.h"

namespace ukube::controllers::nodeipam {
namespace {

std::string refusal(const NodeIpamConfig& config) {
  try {
    defaults(config);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}

TEST(NodeIpamSettings, DefaultsToTheDesignsPodAndServiceRanges) {
  const Settings s = defaults(NodeIpamConfig());
  ASSERT_EQ(s.ranges.size(), 1u);
  EXPECT_EQ(s.ranges[0].cidr.str(), "10.42.0.0/16");
  EXPECT_EQ(s.ranges[0].node_prefix, 24);
  ASSERT_EQ(s.service_cidrs.size(), 1u);
  EXPECT_EQ(s.service_cidrs[0].str(), "10.43.0.0/16");
  EXPECT_FALSE(s.controller.leader_elect);
  EXPECT_EQ(s.controller.workers, 1u);
}

TEST(NodeIpamSettings, MaskSizesFollowEachFamily) {
  NodeIpamConfig config;
  config.set_cluster_cidr("10.42.0.0/16,fd00:42::/56");
  Settings s = defaults(config);
  ASSERT_EQ(s.ranges.size(), 2u);
  EXPECT_EQ(s.ranges[0].node_prefix, 24);
  EXPECT_EQ(s.ranges[1].cidr.str(), "fd00:42::/56");
  EXPECT_EQ(s.ranges[1].node_prefix, 64);
  config.set_node_cidr_mask_size_ipv4(26);
  config.set_node_cidr_mask_size_ipv6(72);
  s = defaults(config);
  EXPECT_EQ(s.ranges[0].node_prefix, 26);
  EXPECT_EQ(s.ranges[1].node_prefix, 72);

  NodeIpamConfig v6;
  v6.set_cluster_cidr("fd00:42::/56");
  EXPECT_EQ(defaults(v6).ranges[0].node_prefix, 64);
  v6.set_node_cidr_mask_size(60);
  EXPECT_EQ(defaults(v6).ranges[0].node_prefix, 60);
}

TEST(NodeIpamSettings, RefusesWhatCannotWork) {
  NodeIpamConfig config;
  config.set_cluster_cidr("10.42.0.0");
  EXPECT_EQ(refusal(config),
            "cluster_cidr: \"10.42.0.0\" in \"10.42.0.0\" is not a CIDR (e.g. 10.42.0.0/16 or "
            "10.42.0.0/16,fd00:42::/56)");
  config.set_cluster_cidr("10.42.0.0/16,10.52.0.0/16");
  EXPECT_EQ(refusal(config),
            "cluster_cidr: \"10.42.0.0/16,10.52.0.0/16\" must be one CIDR, or one IPv4 and one IPv6 CIDR for "
            "dual-stack");
  config.set_cluster_cidr("10.42.0.0/16,fd00:42::/56");
  config.set_node_cidr_mask_size(24);
  EXPECT_EQ(
      refusal(config),
      "node_cidr_mask_size is not allowed with a dual-stack cluster_cidr: set node_cidr_mask_size_ipv4 and "
      "node_cidr_mask_size_ipv6 instead");
  config.Clear();
  config.set_node_cidr_mask_size(16);
  config.set_cluster_cidr("10.42.0.0/24");
  EXPECT_EQ(
      refusal(config),
      "the node mask size 16 for cluster_cidr 10.42.0.0/24 is shorter than the cluster CIDR's prefix: a "
      "node's block must fit in it");
  config.Clear();
  config.set_node_cidr_mask_size_ipv6(64);
  EXPECT_EQ(refusal(config), "node_cidr_mask_size_ipv6 is not allowed with a single-stack IPv4 cluster_cidr");
  config.Clear();
  config.set_cluster_cidr("fd00::/32");
  EXPECT_EQ(refusal(config),
            "the node mask size 64 for cluster_cidr fd00::/32 makes more than 2^16 node blocks: use a longer "
            "cluster CIDR prefix or a shorter node mask");
  config.Clear();
  config.set_service_cidr("none");
  EXPECT_NE(refusal(config).find("service_cidr: \"none\""), std::string::npos);
}

}  // namespace
}  // namespace ukube::controllers::nodeipam
