// upstream's cidrset behaviour: blocks in order, round-robin after a release, occupancy of
// blocks of other sizes, exhaustion, IPv6.
#include "cidr_set.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ukube::controllers::nodeipam {
namespace {

machinery::Cidr cidr(const std::string& text) {
  auto parsed = machinery::parse_cidr(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(machinery::Cidr{});
}

std::string next(CidrSet& set) {
  auto block = set.allocate_next();
  return block ? block->str() : "full";
}

TEST(CidrSet, GivesOutBlocksInOrderUntilFull) {
  CidrSet set(cidr("10.42.0.0/22"), 24);
  EXPECT_EQ(set.capacity(), 4u);
  EXPECT_EQ(next(set), "10.42.0.0/24");
  EXPECT_EQ(next(set), "10.42.1.0/24");
  EXPECT_EQ(next(set), "10.42.2.0/24");
  EXPECT_EQ(next(set), "10.42.3.0/24");
  EXPECT_EQ(set.allocated(), 4u);
  EXPECT_EQ(next(set), "full");
  EXPECT_EQ(set.allocated(), 4u);
}

TEST(CidrSet, AReleasedBlockComesBackAfterTheOthers) {
  CidrSet set(cidr("10.42.0.0/16"), 24);
  EXPECT_EQ(next(set), "10.42.0.0/24");
  EXPECT_EQ(next(set), "10.42.1.0/24");
  EXPECT_TRUE(set.release(cidr("10.42.0.0/24")));
  EXPECT_EQ(set.allocated(), 1u);
  // Round-robin, as upstream's nextCandidate: not the block just freed.
  EXPECT_EQ(next(set), "10.42.2.0/24");

  CidrSet small(cidr("10.42.0.0/23"), 24);
  EXPECT_EQ(next(small), "10.42.0.0/24");
  EXPECT_EQ(next(small), "10.42.1.0/24");
  EXPECT_TRUE(small.release(cidr("10.42.0.0/24")));
  EXPECT_EQ(next(small), "10.42.0.0/24") << "the only free block, found by wrapping around";
}

TEST(CidrSet, OccupiedBlocksAreSkippedAndCountedOnce) {
  CidrSet set(cidr("10.42.0.0/16"), 24);
  EXPECT_TRUE(set.occupy(cidr("10.42.0.0/24")));
  EXPECT_TRUE(set.occupy(cidr("10.42.0.0/24")));
  EXPECT_EQ(set.allocated(), 1u);
  EXPECT_TRUE(set.occupy(cidr("10.42.2.0/23")));   // two blocks: 2 and 3
  EXPECT_TRUE(set.occupy(cidr("10.42.5.64/26")));  // part of block 5: all of it
  EXPECT_EQ(set.allocated(), 4u);
  EXPECT_TRUE(set.is_used(cidr("10.42.3.0/24")));
  EXPECT_EQ(next(set), "10.42.1.0/24");
  EXPECT_EQ(next(set), "10.42.4.0/24");
  EXPECT_EQ(next(set), "10.42.6.0/24");
  EXPECT_FALSE(set.occupy(cidr("10.99.0.0/24"))) << "outside the cluster CIDR";
  EXPECT_FALSE(set.release(cidr("10.99.0.0/24")));
  EXPECT_EQ(set.allocated(), 7u);
  // A CIDR holding the whole cluster CIDR (a service range around it) takes every block.
  EXPECT_TRUE(set.occupy(cidr("10.0.0.0/8")));
  EXPECT_EQ(set.allocated(), 256u);
  EXPECT_EQ(next(set), "full");
}

TEST(CidrSet, IPv6BlocksAcrossTheHalves) {
  CidrSet set(cidr("fd00:42::/56"), 64);
  EXPECT_EQ(set.capacity(), 256u);
  EXPECT_EQ(next(set), "fd00:42::/64");
  EXPECT_EQ(next(set), "fd00:42:0:1::/64");
  CidrSet deep(cidr("fd00:42::/112"), 120);
  EXPECT_EQ(next(deep), "fd00:42::/120");
  EXPECT_EQ(next(deep), "fd00:42::100/120");
  CidrSet straddling(cidr("fd00::/60"), 68);
  straddling.occupy(cidr("fd00::/68"));
  EXPECT_EQ(next(straddling), "fd00::1000:0:0:0/68");
}

}  // namespace
}  // namespace ukube::controllers::nodeipam
